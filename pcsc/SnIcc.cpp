// SPDX-License-Identifier: EUPL-1.2
#include "pcsc/SnIcc.h"

#include <algorithm>

namespace cpslock::pcsc {
namespace {
constexpr std::uint8_t kTagPan = 0x5A;   // same tag as an EMV application PAN: BCD, F-padded
constexpr std::size_t kValueLength = 10; // 5 issuer bytes + 5 BCD bytes
constexpr std::size_t kSerialBytes = 5;

SnIccError malformed(std::string why) {
    return SnIccError{SnIccError::Kind::Malformed, std::move(why)};
}
} // namespace

Result<std::string, SnIccError> parseSnIcc(std::span<const std::uint8_t> data) {
    if (data.size() < 2)
        return malformed("EF.SN.ICC: " + std::to_string(data.size()) + " bytes, expected 12");
    if (data[0] != kTagPan)
        return malformed("EF.SN.ICC: tag " + toHex(data.first(1)) + ", expected 5A");
    if (data[1] != kValueLength)
        return malformed("EF.SN.ICC: length " + std::to_string(data[1]) + ", expected 10");
    if (data.size() < 2 + kValueLength)
        return malformed("EF.SN.ICC: truncated, " + std::to_string(data.size()) + " bytes, expected 12");
    // Trailing bytes are tolerated only as file padding.
    const auto trailer = data.subspan(2 + kValueLength);
    if (!std::all_of(trailer.begin(), trailer.end(), [](std::uint8_t b) { return b == 0x00 || b == 0xFF; }))
        return malformed("EF.SN.ICC: unexpected data after the serial");

    const auto value = data.subspan(2, kValueLength);
    const auto issuer = value.first(sizeof kAnsIssuer);
    const auto bcd = value.subspan(sizeof kAnsIssuer, kSerialBytes);

    std::string serial;
    bool filler = false;
    for (std::uint8_t b : bcd) {
        for (int nib : {b >> 4, b & 0x0F}) {
            if (nib == 0x0F) {
                filler = true;
            } else if (nib <= 9 && !filler) {
                serial.push_back(static_cast<char>('0' + nib));
            } else {
                return malformed("EF.SN.ICC: serial is not BCD (" + toHex(bcd) + ")");
            }
        }
    }
    if (serial.empty())
        return malformed("EF.SN.ICC: empty serial");

    if (!std::equal(issuer.begin(), issuer.end(), std::begin(kAnsIssuer)))
        return SnIccError{SnIccError::Kind::WrongIssuer,
                          "EF.SN.ICC: issuer " + toHex(issuer) + " is not the ANS (8025000001)"};
    return serial;
}

Bytes encodeSnIcc(std::string_view serial) {
    if (serial.empty() || serial.size() > 2 * kSerialBytes ||
        !std::all_of(serial.begin(), serial.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return {};
    Bytes out{kTagPan, static_cast<std::uint8_t>(kValueLength)};
    out.insert(out.end(), std::begin(kAnsIssuer), std::end(kAnsIssuer));
    for (std::size_t i = 0; i < 2 * kSerialBytes; i += 2) {
        const auto digit = [&](std::size_t k) {
            return k < serial.size() ? static_cast<std::uint8_t>(serial[k] - '0') : std::uint8_t{0x0F};
        };
        out.push_back(static_cast<std::uint8_t>((digit(i) << 4) | digit(i + 1)));
    }
    return out;
}

} // namespace cpslock::pcsc
