// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include <algorithm>
#include <string_view>

namespace cpslock {

// Character classes for text from cards, certificates and files. Unlike std::isdigit and friends they
// do not depend on the C locale, and a char with the high bit set is simply not in the class.

constexpr bool isAsciiDigit(char c) {
    return c >= '0' && c <= '9';
}

constexpr bool isAsciiHexDigit(char c) {
    return isAsciiDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

constexpr bool isAsciiAlnum(char c) {
    return isAsciiDigit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/// At least one character, and only digits.
constexpr bool isAsciiDigits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), isAsciiDigit);
}

} // namespace cpslock
