// SPDX-License-Identifier: EUPL-1.2
#include "core/policy/Duration.h"

#include "core/Ascii.h"

#include <cstdint>

namespace cpslock::policy {

namespace {

constexpr std::int64_t kMaxSeconds = 365LL * 24 * 3600;
constexpr std::size_t kMaxDigits = 9; // keeps the arithmetic far from overflow

std::optional<std::int64_t> unitSeconds(char unit) {
    switch (unit) {
    case 's': return 1;
    case 'm': return 60;
    case 'h': return 3600;
    case 'd': return 86400;
    default: return std::nullopt;
    }
}

} // namespace

std::optional<Duration> parseDuration(std::string_view text) {
    if (text.size() < 2 || text.size() > kMaxDigits + 1)
        return std::nullopt;
    const auto unit = unitSeconds(text.back());
    if (!unit)
        return std::nullopt;
    std::int64_t value = 0;
    for (char c : text.substr(0, text.size() - 1)) {
        if (!isAsciiDigit(c))
            return std::nullopt;
        value = value * 10 + (c - '0');
    }
    const std::int64_t seconds = value * *unit;
    if (seconds > kMaxSeconds)
        return std::nullopt;
    return Duration{seconds};
}

std::string describeDurationError(std::string_view text) {
    if (text.empty())
        return "empty duration";
    const char last = text.back();
    if (isAsciiDigit(last))
        return "missing unit (write e.g. \"30s\", \"5m\", \"1h\" or \"2d\")";
    if (!unitSeconds(last))
        return "unknown unit (use s, m, h or d, e.g. \"30s\", \"5m\", \"1h\", \"2d\")";
    const std::string_view number = text.substr(0, text.size() - 1);
    if (number.empty())
        return "missing number before the unit";
    for (char c : number) {
        if (!isAsciiDigit(c))
            return "expected digits then one unit, e.g. \"30s\", \"5m\", \"1h\", \"2d\"";
    }
    return "too long (at most 365 days)";
}

std::string formatDuration(Duration d) {
    const std::int64_t s = d.count();
    if (s == 0)
        return "0s";
    if (s % 86400 == 0)
        return std::to_string(s / 86400) + "d";
    if (s % 3600 == 0)
        return std::to_string(s / 3600) + "h";
    if (s % 60 == 0)
        return std::to_string(s / 60) + "m";
    return std::to_string(s) + "s";
}

} // namespace cpslock::policy
