// SPDX-License-Identifier: EUPL-1.2
#include "tools/cardsim/CardTlv.h"

namespace cpslock::cardsim {

void appendSw(Bytes& out, std::uint16_t status) {
    out.push_back(static_cast<std::uint8_t>(status >> 8));
    out.push_back(static_cast<std::uint8_t>(status & 0xFF));
}

Bytes sw(std::uint16_t status) {
    Bytes out;
    appendSw(out, status);
    return out;
}

Bytes tlv(std::initializer_list<std::uint8_t> tag, const Bytes& value) {
    Bytes out(tag);
    const std::size_t n = value.size();
    if (n < 0x80) {
        out.push_back(static_cast<std::uint8_t>(n));
    } else if (n <= 0xFF) {
        out.insert(out.end(), {0x81, static_cast<std::uint8_t>(n)});
    } else {
        out.insert(out.end(), {0x82, static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n & 0xFF)});
    }
    out.insert(out.end(), value.begin(), value.end());
    return out;
}

Bytes concat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const Bytes& p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

Bytes derInteger(unsigned value) {
    Bytes digits;
    do {
        digits.insert(digits.begin(), static_cast<std::uint8_t>(value & 0xFF));
        value >>= 8;
    } while (value != 0);
    if (digits.front() & 0x80)
        digits.insert(digits.begin(), 0x00);
    return tlv({0x02}, digits);
}

std::optional<Tlv> readTlv(const Bytes& in, std::size_t& pos) {
    if (pos + 2 > in.size())
        return std::nullopt;
    Tlv t;
    t.tag = in[pos++];
    std::size_t len = in[pos++];
    if (len == 0x81 || len == 0x82) {
        const std::size_t bytes = len - 0x80;
        if (pos + bytes > in.size())
            return std::nullopt;
        len = 0;
        for (std::size_t i = 0; i < bytes; ++i)
            len = (len << 8) | in[pos++];
    } else if (len > 0x80) {
        return std::nullopt;
    }
    if (pos + len > in.size())
        return std::nullopt;
    t.value.assign(in.begin() + static_cast<std::ptrdiff_t>(pos), in.begin() + static_cast<std::ptrdiff_t>(pos + len));
    pos += len;
    return t;
}

} // namespace cpslock::cardsim
