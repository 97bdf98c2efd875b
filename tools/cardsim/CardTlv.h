// SPDX-License-Identifier: EUPL-1.2
#pragma once

// Byte helpers shared by the simulated card applications: status words and BER-TLV (ISO 7816-4 §5.2).

#include "core/Hex.h"

#include <cstdint>
#include <initializer_list>
#include <optional>

namespace cpslock::cardsim {

// Status words (ISO 7816-4, SP 800-73-4 part 2) the simulated applications answer.
inline constexpr std::uint16_t kOk = 0x9000;
inline constexpr std::uint16_t kWrongLength = 0x6700;
inline constexpr std::uint16_t kSecurityNotSatisfied = 0x6982;
inline constexpr std::uint16_t kBlocked = 0x6983;
inline constexpr std::uint16_t kConditionsNotSatisfied = 0x6985;
inline constexpr std::uint16_t kNoCurrentEf = 0x6986;
inline constexpr std::uint16_t kWrongData = 0x6A80;
inline constexpr std::uint16_t kNotFound = 0x6A82;
inline constexpr std::uint16_t kWrongP1P2 = 0x6A86;
inline constexpr std::uint16_t kNoSuchReference = 0x6A88;
inline constexpr std::uint16_t kOffsetOutside = 0x6B00;
inline constexpr std::uint16_t kInsNotSupported = 0x6D00;
inline constexpr std::uint16_t kClaNotSupported = 0x6E00;

/// A status word as two bytes.
Bytes sw(std::uint16_t status);
void appendSw(Bytes& out, std::uint16_t status);

/// BER-TLV with a definite length (short form, 81 xx or 82 xx xx).
Bytes tlv(std::initializer_list<std::uint8_t> tag, const Bytes& value);
Bytes concat(std::initializer_list<Bytes> parts);

/// DER INTEGER of a small non-negative value (a leading 00 when the high bit is set).
Bytes derInteger(unsigned value);

struct Tlv {
    std::uint8_t tag = 0;
    Bytes value;
};

/// One TLV with a one-byte tag at @p pos (advanced past it); nullopt when malformed or truncated.
std::optional<Tlv> readTlv(const Bytes& in, std::size_t& pos);

} // namespace cpslock::cardsim
