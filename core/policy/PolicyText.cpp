// SPDX-License-Identifier: EUPL-1.2
#include "core/policy/PolicyText.h"

#include "core/TextEscape.h"

#include <algorithm>
#include <vector>

namespace cpslock::policy::detail {

std::string shown(std::string_view s, std::size_t maxLength) {
    const std::string_view kept = utf8Prefix(s, maxLength);
    std::string out;
    appendEscaped(out, kept, EscapeStyle::Shown);
    if (kept.size() < s.size())
        out += "...";
    return out;
}

/// Levenshtein distance where swapping two neighbours counts as one edit ("lokc" -> "lock").
static std::size_t editDistance(std::string_view a, std::string_view b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i)
        d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j)
        d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0U : 1U;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.size()][b.size()];
}

std::optional<std::string_view> closest(std::string_view word, std::span<const std::string_view> candidates) {
    if (word.size() > kMaxShownKey)
        return std::nullopt;
    const std::size_t limit = std::clamp<std::size_t>(word.size() / 3, 1, 3);
    std::optional<std::string_view> best;
    std::size_t bestDistance = limit + 1;
    for (std::string_view c : candidates) {
        const std::size_t d = editDistance(word, c);
        if (d < bestDistance) {
            best = c;
            bestDistance = d;
        }
    }
    return best;
}

bool hasControl(std::string_view s, bool allowNewline) {
    return std::any_of(s.begin(), s.end(), [allowNewline](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return (c < 0x20 && !(allowNewline && (c == '\n' || c == '\t'))) || c == 0x7F;
    });
}

bool isValidUserName(std::string_view s) {
    if (s.empty() || s.size() > kMaxUserLength || s[0] == '-')
        return false;
    bool allDigits = true;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        const bool digit = c >= '0' && c <= '9';
        allDigits = allDigits && digit;
        const bool ok = digit || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '.' || c == '-' ||
                        c == '@' || (c == '$' && i + 1 == s.size());
        if (!ok)
            return false;
    }
    return !allDigits; // a numeric name would be read as a uid by many tools
}

} // namespace cpslock::policy::detail
