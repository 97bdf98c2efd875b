// SPDX-License-Identifier: EUPL-1.2
#include "core/policy/PolicyValues.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace cpslock::policy::detail {

namespace {

constexpr std::size_t kMaxExempt = 64;

std::string_view typeName(toml::node_type t) {
    switch (t) {
    case toml::node_type::table: return "table";
    case toml::node_type::array: return "array";
    case toml::node_type::string: return "string";
    case toml::node_type::integer: return "integer";
    case toml::node_type::floating_point: return "float";
    case toml::node_type::boolean: return "boolean";
    case toml::node_type::date: return "date";
    case toml::node_type::time: return "time";
    case toml::node_type::date_time: return "date-time";
    case toml::node_type::none: break;
    }
    return "nothing";
}

/// A subject key identifier: hex, colons between bytes allowed ("80:0F:91:..."), 1 to 64 bytes.
/// Normalised to upper-case hex without colons.
std::optional<std::string> getKeyId(const Context& ctx, std::string_view key, const toml::node& n) {
    auto v = getString(ctx, key, n, 200);
    if (!v)
        return std::nullopt;
    std::string hex;
    for (char ch : *v) {
        if (ch == ':')
            continue;
        if ((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'F'))
            hex += ch;
        else if (ch >= 'a' && ch <= 'f')
            hex += static_cast<char>(ch - 'a' + 'A');
        else {
            hex.clear();
            break;
        }
    }
    if (hex.empty() || hex.size() % 2 != 0 || hex.size() > 128) {
        ctx.error(n, "invalid key identifier '" + shown(*v) + "' for '" + std::string(key) +
                         "' (hex bytes, e.g. \"80:0F:91:88:21:79:7D:55:55:C6:5D:6D:D5:93:8D:6A:DE:5C:2A:A6\")");
        return std::nullopt;
    }
    return hex;
}

} // namespace

void Context::wrongType(const toml::node& n, std::string_view key, std::string_view expected) const {
    error(n, "wrong type for '" + std::string(key) + "': expected " + std::string(expected) + ", got " +
                 std::string(typeName(n.type())));
}

std::optional<std::string> getString(const Context& ctx, std::string_view key, const toml::node& n,
                                     std::size_t maxLength, bool allowNewline) {
    const auto* s = n.as_string();
    if (s == nullptr) {
        ctx.wrongType(n, key, "a string");
        return std::nullopt;
    }
    const std::string& v = s->get();
    if (v.size() > maxLength) {
        ctx.error(n, "'" + std::string(key) + "' is too long (" + std::to_string(v.size()) + " bytes, at most " +
                         std::to_string(maxLength) + ")");
        return std::nullopt;
    }
    if (hasControl(v, allowNewline)) {
        ctx.error(n, "'" + std::string(key) + "' contains control characters");
        return std::nullopt;
    }
    return v;
}

void badEnumValue(const Context& ctx, std::string_view key, const toml::node& n,
                  std::span<const std::string_view> names) {
    std::string allowed;
    for (std::size_t i = 0; i < names.size(); ++i)
        allowed += (i == 0 ? "\"" : ", \"") + std::string(names[i]) + "\"";
    const auto* s = n.as_string();
    if (s == nullptr) {
        ctx.wrongType(n, key, "one of " + allowed);
        return;
    }
    std::string message =
        "invalid value '" + shown(s->get()) + "' for '" + std::string(key) + "': expected one of " + allowed;
    auto sameLetters = [](std::string_view a, std::string_view b) {
        return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
                   return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
               });
    };
    std::optional<std::string_view> near;
    for (std::string_view c : names) {
        if (sameLetters(c, s->get()))
            near = c; // values are case-sensitive: "CPS", not "cps"; "lock", not "Lock"
    }
    if (!near)
        near = closest(s->get(), names);
    if (near)
        message += " (did you mean '" + std::string(*near) + "'?)";
    ctx.error(n, message);
}

std::optional<bool> getBool(const Context& ctx, std::string_view key, const toml::node& n) {
    if (const auto* b = n.as_boolean())
        return b->get();
    if (const auto* s = n.as_string(); s != nullptr && (s->get() == "true" || s->get() == "false")) {
        ctx.error(n, "wrong type for '" + std::string(key) + "': expected a boolean, got the string \"" + s->get() +
                         "\" (write " + s->get() + " without quotes)");
        return std::nullopt;
    }
    ctx.wrongType(n, key, "a boolean (true or false)");
    return std::nullopt;
}

std::optional<Duration> getDuration(const Context& ctx, std::string_view key, const toml::node& n, Duration min,
                                    Duration max, bool zeroAllowed) {
    const auto* s = n.as_string();
    if (s == nullptr) {
        if (const auto* i = n.as_integer()) {
            ctx.error(n, "wrong type for '" + std::string(key) + "': expected a duration string, got the integer " +
                             std::to_string(i->get()) + " (write e.g. \"" + std::to_string(i->get()) + "s\")");
        } else {
            ctx.wrongType(n, key, "a duration string like \"30s\", \"5m\", \"1h\", \"2d\"");
        }
        return std::nullopt;
    }
    const auto d = parseDuration(s->get());
    if (!d) {
        ctx.error(n, "invalid duration '" + shown(s->get()) + "' for '" + std::string(key) +
                         "': " + describeDurationError(s->get()));
        return std::nullopt;
    }
    if (*d == Duration{0} && zeroAllowed)
        return d;
    if (*d < min || *d > max) {
        std::string range = formatDuration(min) + " to " + formatDuration(max);
        if (zeroAllowed)
            range = "\"0s\" or " + range;
        ctx.error(n, "'" + std::string(key) + "' = \"" + s->get() + "\" is out of range (" + range + ")");
        return std::nullopt;
    }
    return d;
}

std::optional<std::string> getAbsolutePath(const Context& ctx, std::string_view key, const toml::node& n) {
    auto v = getString(ctx, key, n);
    if (!v)
        return std::nullopt;
    if (v->empty() || (*v)[0] != '/') {
        ctx.error(n, "'" + std::string(key) + "' must be an absolute path, got '" + shown(*v) + "'");
        return std::nullopt;
    }
    return v;
}

std::optional<std::string> getCrlUrl(const Context& ctx, std::string_view key, const toml::node& n) {
    auto v = getString(ctx, key, n, 512);
    if (!v)
        return std::nullopt;
    const bool scheme = v->rfind("http://", 0) == 0 || v->rfind("https://", 0) == 0;
    const std::size_t hostStart = v->find("://") + 3;
    const bool printable = std::all_of(v->begin(), v->end(), [](char c) { return c > ' ' && c < 127 && c != '"'; });
    const std::size_t hostEnd = v->find('/', hostStart);
    const std::string_view authority = std::string_view(*v).substr(hostStart, hostEnd - hostStart);
    if (!scheme || !printable || authority.empty() || authority.find('@') != std::string_view::npos) {
        ctx.error(n, "'" + std::string(key) + "': '" + shown(*v) +
                         "' is not an http:// or https:// URL with a host (no spaces, no user name)");
        return std::nullopt;
    }
    return v;
}

std::optional<CardType> getCardType(const Context& ctx, std::string_view key, const toml::node& e) {
    // CDE and CDA are the older names of CPE and CPA cards.
    if (const auto* s = e.as_string(); s != nullptr && (s->get() == "CDE" || s->get() == "CDA")) {
        ctx.error(e, "card type '" + s->get() + "' is written '" + (s->get() == "CDE" ? "CPE" : "CPA") + "' here");
        return std::nullopt;
    }
    return getEnum(ctx, key, e, kPolicyCardTypeNames);
}

std::optional<std::vector<CardType>> getCardTypes(const Context& ctx, std::string_view key, const toml::node& n) {
    auto types = getArray<CardType>(ctx, key, n, 4, [&](const toml::node& e) { return getCardType(ctx, key, e); });
    if (!types)
        return std::nullopt;
    std::set<CardType> seen;
    for (CardType t : *types) {
        if (!seen.insert(t).second) {
            ctx.error(n, "'" + std::string(key) + "' lists " + std::string(policyName(t)) + " twice");
            return std::nullopt;
        }
    }
    return types;
}

std::optional<std::string> getAccountName(const Context& ctx, std::string_view key, const toml::node& n,
                                          std::string_view noun) {
    if (!n.is_string()) {
        ctx.wrongType(n, key, "a " + std::string(noun) + " string");
        return std::nullopt;
    }
    auto name = getString(ctx, key, n, kMaxUserLength);
    if (name && !isValidUserName(*name)) {
        ctx.error(n, "invalid " + std::string(noun) + " '" + shown(*name) + "' for '" + std::string(key) +
                         "' (letters, digits, '_', '.', '-', '@', not only digits, not starting with '-')");
        return std::nullopt;
    }
    return name;
}

std::optional<std::string> getUserName(const Context& ctx, std::string_view key, const toml::node& n) {
    return getAccountName(ctx, key, n, "user name");
}

std::optional<std::vector<std::string>> getExemptNames(const Context& ctx, const std::string& key, const toml::node& n,
                                                       std::string_view noun) {
    auto names = getArray<std::string>(ctx, key, n, kMaxExempt,
                                       [&](const toml::node& e) { return getAccountName(ctx, key, e, noun); });
    if (names && std::set<std::string>(names->begin(), names->end()).size() != names->size()) {
        ctx.error(n, "'" + key + "' lists a " + std::string(noun) + " twice");
        return std::nullopt;
    }
    return names;
}

bool isOid(std::string_view s) {
    if (s.size() < 3 || s.size() > 128 || s[0] < '0' || s[0] > '2' || s[1] != '.')
        return false;
    std::size_t arcLength = 0;
    for (std::size_t i = 2; i < s.size(); ++i) {
        if (s[i] == '.') {
            if (arcLength == 0)
                return false;
            arcLength = 0;
        } else if (s[i] >= '0' && s[i] <= '9') {
            if (arcLength == 1 && s[i - 1] == '0')
                return false;
            ++arcLength;
        } else {
            return false;
        }
    }
    return arcLength > 0;
}

std::optional<std::vector<std::string>> getKeyIds(const Context& ctx, std::string_view key, const toml::node& n) {
    return getArray<std::string>(ctx, key, n, 32, [&](const toml::node& e) { return getKeyId(ctx, key, e); });
}

} // namespace cpslock::policy::detail
