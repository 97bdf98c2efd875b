// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Hex.h"
#include "core/Result.h"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace cpslock::pcsc {

/// The ANS issuer number that opens every CPS card's EF.SN.ICC.
inline constexpr std::uint8_t kAnsIssuer[] = {0x80, 0x25, 0x00, 0x00, 0x01};

/// Why EF.SN.ICC (3F00/D003: `5A 0A | 80 25 00 00 01 | 5 BCD bytes`) gave no CPS serial.
struct SnIccError {
    enum class Kind {
        WrongIssuer, ///< well formed, but another issuer: not a CPS card
        Malformed,   ///< truncated, wrong tag or length, bad BCD
    };
    Kind kind = Kind::Malformed;
    std::string message; ///< what was wrong, for logs
};

/// Parses the file content (status word already removed): the serial when the issuer is the ANS,
/// decimal digits with the filler nibbles (F) dropped. Never throws.
Result<std::string, SnIccError> parseSnIcc(std::span<const std::uint8_t> data);

/// Builds EF.SN.ICC for a serial of 1 to 10 digits (used by the card simulator).
/// Returns an empty vector when the serial is not 1-10 decimal digits.
Bytes encodeSnIcc(std::string_view serial);

} // namespace cpslock::pcsc
