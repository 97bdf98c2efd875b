// SPDX-License-Identifier: EUPL-1.2
#pragma once

// Byte helpers shared by the simulated card applications: status words and BER-TLV (ISO 7816-4 §5.2).

#include "core/Hex.h"

#include <cstdint>
#include <initializer_list>
#include <optional>

namespace cpslock::cardsim {

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
