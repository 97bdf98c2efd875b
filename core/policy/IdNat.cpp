// SPDX-License-Identifier: EUPL-1.2
#include "core/policy/IdNat.h"

#include "core/Ascii.h"

#include <cstddef>

namespace cpslock::policy {

namespace {

constexpr std::size_t kMaxGenericLength = 40;

bool allDigits(std::string_view s) {
    for (char c : s) {
        if (!isAsciiDigit(c))
            return false;
    }
    return !s.empty();
}

/// ADELI and FINESS numbers start with the département: "2A"/"2B" for Corsica, digits otherwise.
bool isDepartmentNumber(std::string_view s, std::size_t length) {
    if (s.size() != length)
        return false;
    if (s[0] == '2' && (s[1] == 'A' || s[1] == 'B'))
        return allDigits(s.substr(2));
    return allDigits(s);
}

/// One or two non-empty alphanumeric parts separated by "/", at most kMaxGenericLength in all.
bool isStructuredId(std::string_view s) {
    if (s.empty() || s.size() > kMaxGenericLength)
        return false;
    const std::size_t slash = s.find('/');
    const std::string_view first = s.substr(0, slash);
    const std::string_view second = slash == std::string_view::npos ? std::string_view{} : s.substr(slash + 1);
    auto alnum = [](std::string_view part) {
        for (char c : part) {
            if (!isAsciiAlnum(c))
                return false;
        }
        return !part.empty();
    };
    return alnum(first) && (slash == std::string_view::npos || alnum(second));
}

} // namespace

std::optional<std::string> idNatError(std::string_view text) {
    if (text.empty())
        return "empty idNat";
    if (!isAsciiDigit(text[0]))
        return "an idNat starts with its type digit (8 = RPPS, 0 = ADELI, 3 = FINESS/internal id)";
    const std::string_view number = text.substr(1);
    switch (text[0]) {
    case '8':
        if (number.size() != 11 || !allDigits(number))
            return "'8' announces an RPPS number: 11 digits (12 characters in all)";
        return std::nullopt;
    case '0':
        if (!isDepartmentNumber(number, 9))
            return "'0' announces an ADELI number: 9 digits (\"2A\"/\"2B\" allowed as département)";
        return std::nullopt;
    default:
        if (!isStructuredId(number))
            return "expected the type digit then 1 to 40 letters or digits, optionally 'structure/id'";
        return std::nullopt;
    }
}

bool rppsCheckDigitMismatch(std::string_view idNat) {
    if (idNat.size() != 12 || idNat[0] != '8' || !allDigits(idNat))
        return false;
    // Luhn over the 11 RPPS digits: double every second digit from the right.
    int sum = 0;
    bool dbl = false;
    for (std::size_t i = idNat.size(); i-- > 1;) {
        int d = idNat[i] - '0';
        if (dbl) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
        dbl = !dbl;
    }
    return sum % 10 != 0;
}

} // namespace cpslock::policy
