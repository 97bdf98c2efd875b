// SPDX-License-Identifier: EUPL-1.2
#include "core/TextEscape.h"

#include <algorithm>

namespace cpslock {

namespace {

constexpr char kLowerHex[] = "0123456789abcdef";
constexpr char kUpperHex[] = "0123456789ABCDEF";

bool isContinuationByte(char ch) {
    return (static_cast<unsigned char>(ch) & 0xC0U) == 0x80U;
}

/// U+0080..U+009F starts at `i`: 0xC2 then 0x80..0x9F.
bool isC1At(std::string_view s, std::size_t i) {
    if (static_cast<unsigned char>(s[i]) != 0xC2 || i + 1 >= s.size())
        return false;
    const auto next = static_cast<unsigned char>(s[i + 1]);
    return next >= 0x80 && next <= 0x9F;
}

/// JSON's two-character escapes for the controls that have one.
std::string_view jsonShortEscape(char ch) {
    switch (ch) {
    case '\n': return "\\n";
    case '\t': return "\\t";
    case '\r': return "\\r";
    default: return {};
    }
}

void appendHex(std::string& out, std::string_view prefix, unsigned char c, const char* digits) {
    out += prefix;
    out += digits[c >> 4];
    out += digits[c & 0xFU];
}

} // namespace

void appendEscaped(std::string& out, std::string_view text, EscapeStyle style) {
    const bool json = style == EscapeStyle::Json;
    const char* digits = json ? kUpperHex : kLowerHex;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char ch = text[i];
        const auto c = static_cast<unsigned char>(ch);
        if (style != EscapeStyle::Shown && (ch == '"' || ch == '\\')) {
            out += '\\';
            out += ch;
        } else if (json && !jsonShortEscape(ch).empty()) {
            out += jsonShortEscape(ch);
        } else if (c < 0x20 || c == 0x7F) {
            appendHex(out, json ? "\\u00" : "\\x", c, digits);
        } else if (isC1At(text, i)) {
            appendHex(out, "\\u00", static_cast<unsigned char>(text[++i]), digits);
        } else {
            out += ch;
        }
    }
}

std::string_view utf8Prefix(std::string_view text, std::size_t maxBytes) {
    std::size_t cut = std::min(text.size(), maxBytes);
    while (cut < text.size() && cut > 0 && isContinuationByte(text[cut]))
        --cut;
    return text.substr(0, cut);
}

} // namespace cpslock
