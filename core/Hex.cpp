// SPDX-License-Identifier: EUPL-1.2
#include "core/Hex.h"

namespace cpslock {
namespace {
std::string hexWith(std::span<const std::uint8_t> bytes, const char* kDigits) {
    std::string out;
    out.reserve(bytes.size() * 2);
    for (std::uint8_t b : bytes) {
        out.push_back(kDigits[b >> 4]);
        out.push_back(kDigits[b & 0x0F]);
    }
    return out;
}
} // namespace

int hexDigitValue(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

std::string toHex(std::span<const std::uint8_t> bytes) {
    return hexWith(bytes, "0123456789ABCDEF");
}

std::string toLowerHex(std::span<const std::uint8_t> bytes) {
    return hexWith(bytes, "0123456789abcdef");
}

std::optional<Bytes> fromHex(std::string_view text) {
    Bytes out;
    int high = -1;
    for (char c : text) {
        if (c == ' ' || c == ':') {
            if (high >= 0)
                return std::nullopt; // a separator inside a byte
            continue;
        }
        const int v = hexDigitValue(c);
        if (v < 0)
            return std::nullopt;
        if (high < 0) {
            high = v;
        } else {
            out.push_back(static_cast<std::uint8_t>((high << 4) | v));
            high = -1;
        }
    }
    if (high >= 0)
        return std::nullopt;
    return out;
}

} // namespace cpslock
