// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Hex.h"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace cpslock::pcsc {

/// The ANS issuer number that opens every CPS card's EF.SN.ICC.
inline constexpr std::uint8_t kAnsIssuer[] = {0x80, 0x25, 0x00, 0x00, 0x01};

/// Contents of EF.SN.ICC (3F00/D003): `5A 0A | 80 25 00 00 01 | 5 BCD bytes`.
struct SnIcc {
    enum class Status {
        Ok,          ///< issuer is the ANS, serial decoded
        WrongIssuer, ///< well formed, but another issuer: not a CPS card
        Malformed,   ///< truncated, wrong tag or length, bad BCD
    };
    Status status = Status::Malformed;
    std::string serial; ///< decimal digits, filler nibbles (F) dropped; set when Ok
    std::string error;  ///< what was wrong, for logs; set when not Ok
};

/// Parses the file content (status word already removed). Never throws.
SnIcc parseSnIcc(std::span<const std::uint8_t> data);

/// Builds EF.SN.ICC for a serial of 1 to 10 digits (used by the card simulator).
/// Returns an empty vector when the serial is not 1-10 decimal digits.
Bytes encodeSnIcc(std::string_view serial);

} // namespace cpslock::pcsc
