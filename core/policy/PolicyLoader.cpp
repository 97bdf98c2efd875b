// SPDX-License-Identifier: EUPL-1.2
#include "core/policy/PolicyLoader.h"

#include "core/policy/IdNat.h"

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <exception>
#include <filesystem>
#include <fcntl.h>
#include <set>
#include <tuple>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace cpslock::policy {

namespace {

constexpr std::size_t kMaxShownKey = 64;
constexpr std::size_t kMaxPathLength = 4096;
constexpr std::size_t kMaxModules = 8;
constexpr std::size_t kMaxLockerArgs = 32;
constexpr std::size_t kMaxHolders = 10000;
constexpr std::size_t kMaxUsersPerHolder = 16;
constexpr std::size_t kMaxShared = 256;
constexpr std::size_t kMaxProfessions = 64;
constexpr std::size_t kMaxUserLength = 256;
constexpr std::size_t kMaxTextLength = 2000;
constexpr std::size_t kMaxExempt = 64;

// ---------------------------------------------------------------------------------------------
// Text helpers

/// Values and keys come from an untrusted file and end up on an admin's terminal and in JSON:
/// no C0/C1 control characters (escape sequences), bounded length, cut on a UTF-8 boundary.
std::string shown(std::string_view s, std::size_t maxLength = kMaxShownKey) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::size_t cut = std::min(s.size(), maxLength);
    while (cut < s.size() && cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0U) == 0x80U)
        --cut; // never split a multi-byte character
    std::string out;
    for (std::size_t i = 0; i < cut; ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c == 0x7F) {
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 0xF];
        } else if (c == 0xC2 && i + 1 < cut && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
                   static_cast<unsigned char>(s[i + 1]) <= 0x9F) {
            const auto c1 = static_cast<unsigned char>(s[++i]); // U+0080..U+009F, e.g. CSI
            out += "\\u00";
            out += kHex[c1 >> 4];
            out += kHex[c1 & 0xF];
        } else {
            out += static_cast<char>(c);
        }
    }
    if (cut < s.size())
        out += "...";
    return out;
}

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

/// Levenshtein distance where swapping two neighbours counts as one edit ("lokc" -> "lock").
std::size_t editDistance(std::string_view a, std::string_view b) {
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

/// The closest candidate within a third of the word's length (at least 1, at most 3 edits).
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
        const bool ok = digit || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '.' ||
                        c == '-' || c == '@' || (c == '$' && i + 1 == s.size());
        if (!ok)
            return false;
    }
    return !allDigits; // a numeric name would be read as a uid by many tools
}

// ---------------------------------------------------------------------------------------------
// The schema: sections, keys and how each value is checked and applied

struct Context {
    Policy& policy;
    Provenance& provenance;
    std::vector<Diagnostic>& diagnostics;
    const std::string& file;

    SourceLocation at(const toml::source_region& r) const { return {file, r.begin.line, r.begin.column}; }
    void error(const toml::node& n, std::string message) const {
        diagnostics.push_back({Diagnostic::Severity::Error, at(n.source()), std::move(message)});
    }
    void warning(const toml::node& n, std::string message) const {
        diagnostics.push_back({Diagnostic::Severity::Warning, at(n.source()), std::move(message)});
    }
    void wrongType(const toml::node& n, std::string_view key, std::string_view expected) const {
        error(n, "wrong type for '" + std::string(key) + "': expected " + std::string(expected) + ", got " +
                     std::string(typeName(n.type())));
    }
};

template <typename E>
struct EnumName {
    std::string_view name;
    E value;
};

std::optional<std::string> getString(const Context& ctx, std::string_view key, const toml::node& n,
                                     std::size_t maxLength = kMaxPathLength, bool allowNewline = false) {
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

template <typename E, std::size_t N>
std::optional<E> getEnum(const Context& ctx, std::string_view key, const toml::node& n,
                         const std::array<EnumName<E>, N>& names) {
    const auto* s = n.as_string();
    std::string allowed;
    std::array<std::string_view, N> candidates{};
    for (std::size_t i = 0; i < N; ++i) {
        allowed += (i == 0 ? "\"" : ", \"") + std::string(names[i].name) + "\"";
        candidates[i] = names[i].name;
    }
    if (s == nullptr) {
        ctx.wrongType(n, key, "one of " + allowed);
        return std::nullopt;
    }
    for (const auto& entry : names) {
        if (entry.name == s->get())
            return entry.value;
    }
    std::string message = "invalid value '" + shown(s->get()) + "' for '" + std::string(key) + "': expected one of " + allowed;
    auto sameLetters = [](std::string_view a, std::string_view b) {
        return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
                   return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
               });
    };
    std::optional<std::string_view> near;
    for (std::string_view c : candidates) {
        if (sameLetters(c, s->get()))
            near = c; // values are case-sensitive: "CPS", not "cps"; "lock", not "Lock"
    }
    if (!near)
        near = closest(s->get(), candidates);
    if (near)
        message += " (did you mean '" + std::string(*near) + "'?)";
    ctx.error(n, message);
    return std::nullopt;
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

// A CRL location: plain http(s), printable ASCII, no user info (a CRL is public and signed).
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

/// An array whose every item is a string accepted by `item`; nullopt (with errors) otherwise.
template <typename T, typename F>
std::optional<std::vector<T>> getArray(const Context& ctx, std::string_view key, const toml::node& n,
                                       std::size_t maxItems, F&& item) {
    const auto* a = n.as_array();
    if (a == nullptr) {
        ctx.wrongType(n, key, "an array");
        return std::nullopt;
    }
    if (a->size() > maxItems) {
        ctx.error(n, "'" + std::string(key) + "' has " + std::to_string(a->size()) + " items, at most " +
                         std::to_string(maxItems));
        return std::nullopt;
    }
    std::vector<T> out;
    bool ok = true;
    for (const toml::node& element : *a) {
        std::optional<T> v = item(element);
        if (v)
            out.push_back(std::move(*v));
        else
            ok = false;
    }
    if (!ok)
        return std::nullopt;
    return out;
}

constexpr std::array kRemovalNames{EnumName<RemovalAction>{"lock", RemovalAction::Lock},
                                   EnumName<RemovalAction>{"logout", RemovalAction::Logout},
                                   EnumName<RemovalAction>{"none", RemovalAction::None}};
constexpr std::array kLossNames{EnumName<LossAction>{"lock", LossAction::Lock},
                                EnumName<LossAction>{"none", LossAction::None}};
constexpr std::array kLastTryNames{EnumName<LastTryAction>{"refuse", LastTryAction::Refuse},
                                   EnumName<LastTryAction>{"warn", LastTryAction::Warn}};
constexpr std::array kRevocationNames{EnumName<RevocationMode>{"hard", RevocationMode::Hard},
                                      EnumName<RevocationMode>{"soft", RevocationMode::Soft},
                                      EnumName<RevocationMode>{"off", RevocationMode::Off}};
constexpr std::array kSinkNames{EnumName<AuditSink>{"journald", AuditSink::Journald},
                                EnumName<AuditSink>{"syslog", AuditSink::Syslog},
                                EnumName<AuditSink>{"stderr", AuditSink::Stderr}};
constexpr std::array kCardTypeNames{EnumName<CardType>{"CPS", CardType::Cps}, EnumName<CardType>{"CPF", CardType::Cpf},
                                    EnumName<CardType>{"CPE", CardType::Cpe}, EnumName<CardType>{"CPA", CardType::Cpa}};

std::optional<CardType> getCardType(const Context& ctx, std::string_view key, const toml::node& e) {
    // CDE and CDA are the older names of CPE and CPA cards.
    if (const auto* s = e.as_string(); s != nullptr && (s->get() == "CDE" || s->get() == "CDA")) {
        ctx.error(e, "card type '" + s->get() + "' is written '" + (s->get() == "CDE" ? "CPE" : "CPA") + "' here");
        return std::nullopt;
    }
    return getEnum(ctx, key, e, kCardTypeNames);
}

std::optional<std::vector<CardType>> getCardTypes(const Context& ctx, std::string_view key, const toml::node& n) {
    auto types = getArray<CardType>(ctx, key, n, 4, [&](const toml::node& e) { return getCardType(ctx, key, e); });
    if (!types)
        return std::nullopt;
    std::set<CardType> seen;
    for (CardType t : *types) {
        if (!seen.insert(t).second) {
            ctx.error(n, "'" + std::string(key) + "' lists " + std::string(toString(t)) + " twice");
            return std::nullopt;
        }
    }
    return types;
}

using Apply = bool (*)(Context&, const std::string& key, const toml::node&);

struct KeySpec {
    std::string_view name;
    Apply apply;
};

template <typename T>
bool assign(T& target, std::optional<T>&& value) {
    if (!value)
        return false;
    target = std::move(*value);
    return true;
}

/// A user (or group: same rules, `noun` says which) name as the system tools accept it.
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

/// session.exempt_users / exempt_groups: names, each once.
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

constexpr Duration kMinute{60};
constexpr Duration kHour{3600};
constexpr Duration kDay{86400};

const KeySpec kSessionKeys[] = {
    {"removal_action",
     [](Context& c, const std::string& k, const toml::node& n) {
         return assign(c.policy.session.removalAction, getEnum(c, k, n, kRemovalNames));
     }},
    {"idle_timeout",
     [](Context& c, const std::string& k, const toml::node& n) {
         return assign(c.policy.session.idleTimeout, getDuration(c, k, n, Duration{30}, kDay, true));
     }},
    {"idle_warning",
     [](Context& c, const std::string& k, const toml::node& n) {
         return assign(c.policy.session.idleWarning, getDuration(c, k, n, Duration{0}, kHour, true));
     }},
    {"require_card",
     [](Context& c, const std::string& k, const toml::node& n) {
         return assign(c.policy.session.requireCard, getBool(c, k, n));
     }},
    {"require_card_grace",
     [](Context& c, const std::string& k, const toml::node& n) {
         return assign(c.policy.session.requireCardGrace, getDuration(c, k, n, Duration{0}, 5 * kMinute, true));
     }},
    {"exempt_users",
     [](Context& c, const std::string& k, const toml::node& n) {
         return assign(c.policy.session.exemptUsers, getExemptNames(c, k, n, "user name"));
     }},
    {"exempt_groups",
     [](Context& c, const std::string& k, const toml::node& n) {
         return assign(c.policy.session.exemptGroups, getExemptNames(c, k, n, "group name"));
     }},
};

const KeySpec kServiceKeys[] = {
    {"loss_action",
     [](Context& c, const std::string& k, const toml::node& n) {
         return assign(c.policy.service.lossAction, getEnum(c, k, n, kLossNames));
     }},
    {"loss_grace",
     [](Context& c, const std::string& k, const toml::node& n) {
         return assign(c.policy.service.lossGrace, getDuration(c, k, n, Duration{0}, 5 * kMinute, true));
     }},
};

const KeySpec kPkcs11Keys[] = {
    {"modules",
     [](Context& c, const std::string& k, const toml::node& n) {
         auto modules = getArray<std::string>(c, k, n, kMaxModules,
                                              [&](const toml::node& e) { return getAbsolutePath(c, k, e); });
         if (modules && modules->empty()) {
             c.error(n, "'" + k + "' must name at least one PKCS#11 module");
             return false;
         }
         return assign(c.policy.pkcs11.modules, std::move(modules));
     }},
    {"opensc_conf",
     [](Context& c, const std::string& k, const toml::node& n) {
         return assign(c.policy.pkcs11.openscConf, getAbsolutePath(c, k, n));
     }},
};

const KeySpec kPcscKeys[] = {
    {"socket",
     [](Context& c, const std::string& k, const toml::node& n) {
         return assign(c.policy.pcsc.socket, getAbsolutePath(c, k, n));
     }},
};

/// Dotted decimal object identifier: first arc 0-2, at least two arcs, no leading zeros.
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

std::optional<std::vector<std::string>> getKeyIds(const Context& ctx, std::string_view key, const toml::node& n) {
    return getArray<std::string>(ctx, key, n, 32, [&](const toml::node& e) { return getKeyId(ctx, key, e); });
}

const KeySpec kCardsKeys[] = {
    {"allowed_types",
     [](Context& c, const std::string& k, const toml::node& n) {
         auto types = getCardTypes(c, k, n);
         if (types && types->empty()) {
             c.error(n, "'" + k + "' is empty: no card could ever open a session");
             return false;
         }
         return assign(c.policy.cards.allowedTypes, std::move(types));
     }},
    {"type_oids",
     [](Context& c, const std::string& k, const toml::node& n) {
         const auto* t = n.as_table();
         if (t == nullptr) {
             c.wrongType(n, k, "a table of \"OID\" = \"card type\"");
             return false;
         }
         if (t->size() > 64) {
             c.error(n, "'" + k + "' has more than 64 entries");
             return false;
         }
         // Per-OID merge, like accounts.holders.
         for (auto&& [key, value] : *t) {
             const std::string oid(key.str());
             if (!isOid(oid)) {
                 c.diagnostics.push_back({Diagnostic::Severity::Error, c.at(key.source()),
                                          "invalid OID '" + shown(oid) + "' in '" + k +
                                              "' (dotted decimal, e.g. \"1.2.250.1.71.1.2.3\")"});
                 continue;
             }
             if (auto type = getCardType(c, k + "." + oid, value)) {
                 c.policy.cards.typeOids[oid] = *type;
                 c.provenance[k + "." + oid] = c.at(key.source());
             }
         }
         return false; // provenance recorded per OID above
     }},
    {"infer_type_from_subject",
     [](Context& c, const std::string& k, const toml::node& n) {
         return assign(c.policy.cards.inferTypeFromSubject, getBool(c, k, n));
     }},
    {"required_policy_oids",
     [](Context& c, const std::string& k, const toml::node& n) {
         return assign(c.policy.cards.requiredPolicyOids,
                       getArray<std::string>(c, k, n, 32, [&](const toml::node& e) -> std::optional<std::string> {
                           auto v = getString(c, k, e, 128);
                           if (v && !isOid(*v)) {
                               c.error(e, "invalid OID '" + shown(*v) + "' in '" + k + "' (dotted decimal)");
                               return std::nullopt;
                           }
                           return v;
                       }));
     }},
};

const KeySpec kPinKeys[] = {
    {"last_try",
     [](Context& c, const std::string& k, const toml::node& n) {
         return assign(c.policy.pin.lastTry, getEnum(c, k, n, kLastTryNames));
     }},
};

const KeySpec kTrustKeys[] = {
    {"anchors_dir",
     [](Context& c, const std::string& k, const toml::node& n) {
         return assign(c.policy.trust.anchorsDir, getAbsolutePath(c, k, n));
     }},
    {"crl_dir",
     [](Context& c, const std::string& k, const toml::node& n) {
         return assign(c.policy.trust.crlDir, getAbsolutePath(c, k, n));
     }},
    {"crl_urls",
     [](Context& c, const std::string& k, const toml::node& n) {
         return assign(c.policy.trust.crlUrls, getArray<std::string>(c, k, n, 32, [&](const toml::node& e) {
                           return getCrlUrl(c, k, e);
                       }));
     }},
    {"revocation",
     [](Context& c, const std::string& k, const toml::node& n) {
         return assign(c.policy.trust.revocation, getEnum(c, k, n, kRevocationNames));
     }},
    {"crl_max_age",
     [](Context& c, const std::string& k, const toml::node& n) {
         return assign(c.policy.trust.crlMaxAge, getDuration(c, k, n, kHour, 90 * kDay, false));
     }},
    {"denylist",
     [](Context& c, const std::string& k, const toml::node& n) {
         return assign(c.policy.trust.denylist, getAbsolutePath(c, k, n));
     }},
    {"issuers_cps",
     [](Context& c, const std::string& k, const toml::node& n) {
         return assign(c.policy.trust.issuersCps, getKeyIds(c, k, n));
     }},
    {"issuers_cpf",
     [](Context& c, const std::string& k, const toml::node& n) {
         return assign(c.policy.trust.issuersCpf, getKeyIds(c, k, n));
     }},
    {"issuers_cpe",
     [](Context& c, const std::string& k, const toml::node& n) {
         return assign(c.policy.trust.issuersCpe, getKeyIds(c, k, n));
     }},
    {"issuers_cpa",
     [](Context& c, const std::string& k, const toml::node& n) {
         return assign(c.policy.trust.issuersCpa, getKeyIds(c, k, n));
     }},
    {"roots",
     [](Context& c, const std::string& k, const toml::node& n) {
         return assign(c.policy.trust.roots, getKeyIds(c, k, n));
     }},
    {"test_pki",
     [](Context& c, const std::string& k, const toml::node& n) {
         return assign(c.policy.trust.testPki, getBool(c, k, n));
     }},
};

constexpr std::string_view kSharedItemKeys[] = {"user", "card_types", "professions"};

std::optional<SharedAccount> getSharedAccount(const Context& ctx, const toml::node& n) {
    const auto* t = n.as_table();
    if (t == nullptr) {
        ctx.wrongType(n, "accounts.shared", "a table ([[accounts.shared]])");
        return std::nullopt;
    }
    SharedAccount account;
    bool ok = true;
    bool hasUser = false;
    bool hasTypes = false;
    for (auto&& [key, value] : *t) {
        const std::string name(key.str());
        const std::string dotted = "accounts.shared." + name;
        if (name == "user") {
            hasUser = true;
            ok = assign(account.user, getUserName(ctx, dotted, value)) && ok;
        } else if (name == "card_types") {
            hasTypes = true;
            auto types = getCardTypes(ctx, dotted, value);
            if (types && types->empty()) {
                ctx.error(value, "'" + dotted + "' is empty: no card could open this account");
                types.reset();
            }
            ok = assign(account.cardTypes, std::move(types)) && ok;
        } else if (name == "professions") {
            ok = assign(account.professions,
                        getArray<std::string>(ctx, dotted, value, kMaxProfessions,
                                              [&](const toml::node& e) -> std::optional<std::string> {
                                                  auto p = getString(ctx, dotted, e, 128);
                                                  if (p && p->empty()) {
                                                      ctx.error(e, "empty profession in '" + dotted + "'");
                                                      return std::nullopt;
                                                  }
                                                  return p;
                                              })) &&
                 ok;
        } else {
            std::string message = "unknown key '" + shown(name) + "' in [[accounts.shared]]";
            if (auto near = closest(name, kSharedItemKeys))
                message += " (did you mean '" + std::string(*near) + "'?)";
            ctx.diagnostics.push_back({Diagnostic::Severity::Error, ctx.at(key.source()), message});
            ok = false;
        }
    }
    if (!hasUser) {
        ctx.error(n, "[[accounts.shared]] entry without 'user'");
        ok = false;
    }
    if (!hasTypes) {
        ctx.error(n, "[[accounts.shared]] entry without 'card_types' (say which cards may open it)");
        ok = false;
    }
    if (!ok)
        return std::nullopt;
    return account;
}

const KeySpec kAccountsKeys[] = {
    {"holders",
     [](Context& c, const std::string& k, const toml::node& n) {
         const auto* t = n.as_table();
         if (t == nullptr) {
             c.wrongType(n, k, "a table of idNat = \"user\"");
             return false;
         }
         if (t->size() > kMaxHolders) {
             c.error(n, "'" + k + "' has more than " + std::to_string(kMaxHolders) + " entries");
             return false;
         }
         // Per-holder merge: a drop-in adds or re-maps holders without repeating the others.
         for (auto&& [key, value] : *t) {
             const std::string id(key.str());
             const SourceLocation where = c.at(key.source());
             if (auto why = idNatError(id)) {
                 c.diagnostics.push_back({Diagnostic::Severity::Error, where,
                                          "invalid idNat '" + shown(id) + "' in '" + k + "': " + *why});
                 continue;
             }
             if (rppsCheckDigitMismatch(id)) {
                 c.diagnostics.push_back({Diagnostic::Severity::Warning, where,
                                          "idNat '" + id + "': the RPPS check digit does not match (typo?)"});
             }
             const std::string entry = k + "." + id;
             std::optional<std::vector<std::string>> users;
             if (value.is_array()) {
                 users = getArray<std::string>(c, entry, value, kMaxUsersPerHolder,
                                               [&](const toml::node& e) { return getUserName(c, entry, e); });
                 if (users && users->empty()) {
                     c.error(value, "'" + entry + "' lists no account");
                     users.reset();
                 }
                 if (users && std::set<std::string>(users->begin(), users->end()).size() != users->size()) {
                     c.error(value, "'" + entry + "' lists an account twice");
                     users.reset();
                 }
             } else if (!value.is_string()) {
                 c.wrongType(value, entry, "a user name or an array of user names");
             } else if (auto user = getUserName(c, entry, value)) {
                 users = std::vector<std::string>{*user};
             }
             if (users) {
                 c.policy.accounts.holders[id] = std::move(*users);
                 c.provenance[entry] = where;
             }
         }
         return false; // provenance recorded per holder above
     }},
    {"shared",
     [](Context& c, const std::string& k, const toml::node& n) {
         auto shared = getArray<SharedAccount>(c, k, n, kMaxShared,
                                               [&](const toml::node& e) { return getSharedAccount(c, e); });
         if (shared) {
             std::set<std::string> users;
             for (const SharedAccount& a : *shared) {
                 if (!users.insert(a.user).second) {
                     c.error(n, "shared account '" + shown(a.user) + "' is listed twice");
                     return false;
                 }
             }
         }
         return assign(c.policy.accounts.shared, std::move(shared));
     }},
};

const KeySpec kLostCardKeys[] = {
    {"phone",
     [](Context& c, const std::string& k, const toml::node& n) {
         auto phone = getString(c, k, n, 32);
         if (phone && (phone->empty() || phone->find_first_not_of("0123456789 +.-()") != std::string::npos)) {
             c.error(n, "'" + k + "' must be a phone number (digits, spaces, + . - ( )), got '" + shown(*phone) + "'");
             return false;
         }
         return assign(c.policy.lostCard.phone, std::move(phone));
     }},
    {"web",
     [](Context& c, const std::string& k, const toml::node& n) {
         auto web = getString(c, k, n, 512);
         if (web && (web->rfind("https://", 0) != 0 || web->size() <= 8 || web->find(' ') != std::string::npos)) {
             c.error(n, "'" + k + "' must be an https:// address, got '" + shown(*web) + "'");
             return false;
         }
         return assign(c.policy.lostCard.web, std::move(web));
     }},
    {"text",
     [](Context& c, const std::string& k, const toml::node& n) {
         auto text = getString(c, k, n, kMaxTextLength, true);
         if (text && text->empty()) {
             c.error(n, "'" + k + "' must not be empty: it is what a user reads after losing a card");
             return false;
         }
         return assign(c.policy.lostCard.text, std::move(text));
     }},
};

const KeySpec kAuditKeys[] = {
    {"sink",
     [](Context& c, const std::string& k, const toml::node& n) {
         return assign(c.policy.audit.sink, getEnum(c, k, n, kSinkNames));
     }},
};

const KeySpec kLockerKeys[] = {
    {"command",
     [](Context& c, const std::string& k, const toml::node& n) {
         auto argv = getArray<std::string>(c, k, n, kMaxLockerArgs,
                                           [&](const toml::node& e) { return getString(c, k, e); });
         if (argv && !argv->empty() && (argv->front().empty() || argv->front()[0] != '/')) {
             c.error(n, "'" + k + "' must start with the absolute path of the program (no shell, no PATH search), got '" +
                            shown(argv->front()) + "'");
             return false;
         }
         return assign(c.policy.locker.command, std::move(argv));
     }},
};

struct SectionSpec {
    std::string_view name;
    std::span<const KeySpec> keys;
};

const SectionSpec kSections[] = {
    {"session", kSessionKeys}, {"service", kServiceKeys}, {"pkcs11", kPkcs11Keys},    {"cards", kCardsKeys},
    {"pin", kPinKeys},         {"trust", kTrustKeys},     {"accounts", kAccountsKeys}, {"lost_card", kLostCardKeys},
    {"audit", kAuditKeys},     {"locker", kLockerKeys},   {"pcsc", kPcscKeys},
};

struct RefusedKey {
    std::string_view key;
    std::string_view reason;
};

const RefusedKey kRefusedKeys[] = {
    {"cards.allow_contactless",
     "not supported: a contactless CPS has no PIN, only a technical key, and never unlocks a session"},
    {"trust.lost_reports_dir",
     "retired: lost-card reports are kept by cpslockd (tray, `cpslock report-lost`); remove this line and the "
     "old drop-box folder"},
};

// ---------------------------------------------------------------------------------------------
// Walking one parsed document

void unknownKey(Context& ctx, const toml::key& key, const std::string& section, std::span<const KeySpec> keys) {
    const std::string name(key.str());
    const std::string dotted = section + "." + name;
    for (const RefusedKey& r : kRefusedKeys) {
        if (r.key == dotted) {
            ctx.diagnostics.push_back(
                {Diagnostic::Severity::Error, ctx.at(key.source()), "key '" + dotted + "' " + std::string(r.reason)});
            return;
        }
    }
    std::string message = "unknown key '" + shown(name) + "' in [" + section + "]";
    std::vector<std::string_view> names;
    for (const KeySpec& k : keys)
        names.push_back(k.name);
    if (auto near = closest(name, names)) {
        message += " (did you mean '" + std::string(*near) + "'?)";
    } else {
        for (const SectionSpec& other : kSections) {
            for (const KeySpec& k : other.keys) {
                if (k.name == name) {
                    message += " ('" + name + "' belongs in [" + std::string(other.name) + "])";
                    break;
                }
            }
        }
    }
    ctx.diagnostics.push_back({Diagnostic::Severity::Error, ctx.at(key.source()), message});
}

void applyDocument(Context& ctx, const toml::table& root) {
    for (auto&& [sectionKey, sectionNode] : root) {
        const std::string sectionName(sectionKey.str());
        const SectionSpec* section = nullptr;
        for (const SectionSpec& s : kSections) {
            if (s.name == sectionName)
                section = &s;
        }
        if (section == nullptr) {
            std::string message = "unknown section [" + shown(sectionName) + "]";
            std::vector<std::string_view> names;
            for (const SectionSpec& s : kSections)
                names.push_back(s.name);
            if (auto near = closest(sectionName, names)) {
                message += " (did you mean [" + std::string(*near) + "]?)";
            } else {
                for (const SectionSpec& s : kSections) {
                    for (const KeySpec& k : s.keys) {
                        if (k.name == sectionName)
                            message += " ('" + sectionName + "' is a key of [" + std::string(s.name) + "])";
                    }
                }
            }
            ctx.diagnostics.push_back({Diagnostic::Severity::Error, ctx.at(sectionKey.source()), message});
            continue;
        }
        const auto* table = sectionNode.as_table();
        if (table == nullptr) {
            ctx.wrongType(sectionNode, sectionName, "a table ([" + sectionName + "])");
            continue;
        }
        for (auto&& [key, value] : *table) {
            const std::string name(key.str());
            const KeySpec* spec = nullptr;
            for (const KeySpec& k : section->keys) {
                if (k.name == name)
                    spec = &k;
            }
            if (spec == nullptr) {
                unknownKey(ctx, key, sectionName, section->keys);
                continue;
            }
            const std::string dotted = sectionName + "." + name;
            if (spec->apply(ctx, dotted, value))
                ctx.provenance[dotted] = ctx.at(key.source());
        }
    }
}

void parseDocument(const PolicyDocument& doc, Context& ctx) {
    const SourceLocation whole{doc.name, 0, 0};
    const auto nul = doc.text.find('\0');
    if (nul != std::string::npos) {
        ctx.diagnostics.push_back({Diagnostic::Severity::Error, whole,
                                   "binary data (NUL byte at offset " + std::to_string(nul) + "): not a TOML file"});
        return;
    }
    if (doc.text.find_first_not_of(" \t\r\n") == std::string::npos) {
        ctx.diagnostics.push_back({Diagnostic::Severity::Error, whole,
                                   "empty policy file (half-written? an intentionally empty file needs a comment)"});
        return;
    }
    toml::table root;
    try {
        root = toml::parse(doc.text, doc.name);
    } catch (const toml::parse_error& e) {
        const auto& where = e.source().begin;
        ctx.diagnostics.push_back({Diagnostic::Severity::Error, {doc.name, where.line, where.column},
                                   "syntax error: " + shown(e.description(), 256) + " (nothing of this file was applied)"});
        return;
    } catch (const std::exception& e) {
        ctx.diagnostics.push_back({Diagnostic::Severity::Error, whole, "cannot parse: " + shown(e.what(), 256)});
        return;
    }
    applyDocument(ctx, root);
}

// ---------------------------------------------------------------------------------------------
// Checks on the merged result

std::optional<std::string> realPathProbe(const std::string& path, PathKind kind, const FileSecurity& security) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return errno == ENOENT ? std::string("does not exist") : std::string("cannot stat: ") + std::strerror(errno);
    if (kind == PathKind::Directory && !S_ISDIR(st.st_mode))
        return "is not a folder";
    if (kind != PathKind::Directory && !S_ISREG(st.st_mode))
        return "is not a regular file";
    if (::access(path.c_str(), kind == PathKind::Executable ? X_OK : R_OK) != 0)
        return kind == PathKind::Executable ? "is not executable" : "is not readable";
    // Whoever can write a trust anchor, a deny-list or a PKCS#11 module owns every session.
    if (auto why = security.ownershipError(st.st_uid, st.st_mode))
        return "insecure: " + *why;
    return std::nullopt;
}

/// An error from LoadOptions::contentCheck: at the named file's line when it says "path:line: ...",
/// else at the key that names the file. Always an error: the file exists and is wrong.
Diagnostic contentDiagnostic(const std::string& key, const std::string& path, const std::string& error,
                             Provenance::const_iterator where, const Provenance& provenance) {
    if (error.rfind(path + ":", 0) == 0) {
        std::size_t i = path.size() + 1;
        std::uint32_t line = 0;
        while (i < error.size() && error[i] >= '0' && error[i] <= '9' && line < 100000000)
            line = line * 10 + static_cast<std::uint32_t>(error[i++] - '0');
        if (line > 0 && error.compare(i, 2, ": ") == 0)
            return {Diagnostic::Severity::Error, {path, line, 0}, shown(error.substr(i + 2), 512)};
    }
    const SourceLocation at = where != provenance.end() ? where->second : SourceLocation{path, 0, 0};
    const std::string detail = error.rfind(path + ": ", 0) == 0 ? error.substr(path.size() + 2) : error;
    return {Diagnostic::Severity::Error, at, "'" + key + "' = \"" + shown(path) + "\": " + shown(detail, 512)};
}

void checkPaths(LoadResult& result, const LoadOptions& options) {
    auto probe = [&](const std::string& path, PathKind kind) {
        return options.pathProbe ? options.pathProbe(path, kind) : realPathProbe(path, kind, options.security);
    };
    auto check = [&](const std::string& key, const std::string& path, PathKind kind, std::string_view consequence) {
        auto why = probe(path, kind);
        auto where = result.provenance.find(key);
        if (!why) {
            if (options.contentCheck && (key == "trust.denylist" || key == "trust.anchors_dir")) {
                for (const std::string& error : options.contentCheck(key, path))
                    result.diagnostics.push_back(contentDiagnostic(key, path, error, where, result.provenance));
            }
            return;
        }
        if (where != result.provenance.end()) {
            result.diagnostics.push_back({Diagnostic::Severity::Error, where->second,
                                          "'" + key + "' = \"" + shown(path) + "\": " + *why});
        } else {
            // Built-in defaults are the packaged paths: a missing one is the consumer's refusal (a
            // warning here), but one that exists and is insecure is never used (issue 10, finding 5:
            // a group-writable default anchors folder authenticated a planted CA).
            const bool missing = why->rfind("does not exist", 0) == 0;
            result.diagnostics.push_back({missing ? Diagnostic::Severity::Warning : Diagnostic::Severity::Error, {},
                                          "'" + key + "' (default \"" + path + "\"): " + *why + "; " +
                                              std::string(consequence)});
        }
    };
    const Policy& p = result.policy;
    check("trust.anchors_dir", p.trust.anchorsDir, PathKind::Directory, "every card will be refused");
    check("trust.crl_dir", p.trust.crlDir, PathKind::Directory, "revocation cannot be checked");
    check("trust.denylist", p.trust.denylist, PathKind::File,
          "every card will be refused (a deny-list that cannot be read is never taken as empty)");
    for (const std::string& module : p.pkcs11.modules)
        check("pkcs11.modules", module, PathKind::File, "this PKCS#11 module cannot be used");
    if (!p.pkcs11.openscConf.empty())
        check("pkcs11.opensc_conf", p.pkcs11.openscConf, PathKind::File, "OpenSC cannot be configured");
    if (!p.locker.command.empty())
        check("locker.command", p.locker.command.front(), PathKind::Executable, "the fallback locker cannot run");
}

void crossChecks(LoadResult& result) {
    const Policy& p = result.policy;
    auto located = [&](std::initializer_list<std::string_view> keys) {
        for (std::string_view k : keys) {
            auto it = result.provenance.find(std::string(k));
            if (it != result.provenance.end())
                return it->second;
        }
        return SourceLocation{};
    };
    if (p.session.idleTimeout > Duration{0} && p.session.idleWarning >= p.session.idleTimeout) {
        result.diagnostics.push_back(
            {Diagnostic::Severity::Error, located({"session.idle_warning", "session.idle_timeout"}),
             "'session.idle_warning' (" + formatDuration(p.session.idleWarning) +
                 ") must be shorter than 'session.idle_timeout' (" + formatDuration(p.session.idleTimeout) + ")"});
    }
    for (const SharedAccount& a : p.accounts.shared) {
        for (CardType t : a.cardTypes) {
            if (std::find(p.cards.allowedTypes.begin(), p.cards.allowedTypes.end(), t) == p.cards.allowedTypes.end()) {
                result.diagnostics.push_back(
                    {Diagnostic::Severity::Warning, located({"accounts.shared"}),
                     "shared account '" + a.user + "' accepts " + std::string(toString(t)) +
                         " cards, which 'cards.allowed_types' refuses: they will not open it"});
            }
        }
    }
    if (p.trust.revocation == RevocationMode::Off) {
        result.diagnostics.push_back({Diagnostic::Severity::Warning, located({"trust.revocation"}),
                                      "revocation checks are off: an opposed (lost, stolen) card still unlocks"});
    }
    if (p.session.removalAction == RemovalAction::None) {
        result.diagnostics.push_back({Diagnostic::Severity::Warning, located({"session.removal_action"}),
                                      "removing the card does not lock the session"});
    }
}

/// Errors first, then warnings, then notes; within each, files in the order they apply
/// (`fileOrder`), then line and column: what an admin must fix comes first, in reading order.
void finish(LoadResult& result, const LoadOptions& options, const std::vector<std::string>& fileOrder) {
    if (result.ok()) {
        checkPaths(result, options);
        crossChecks(result);
    }
    auto rank = [&](const std::string& file) {
        const auto it = std::find(fileOrder.begin(), fileOrder.end(), file);
        return static_cast<std::size_t>(it - fileOrder.begin());
    };
    std::stable_sort(result.diagnostics.begin(), result.diagnostics.end(), [&](const Diagnostic& a, const Diagnostic& b) {
        return std::tuple(a.severity, rank(a.where.file), a.where.line, a.where.column) <
               std::tuple(b.severity, rank(b.where.file), b.where.line, b.where.column);
    });
}

bool endsWith(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

struct DirEntries {
    std::vector<std::string> policyFiles;
    std::vector<std::string> ignored;
    std::string error;
};

DirEntries listDropIns(const SecureDirectory& dir) {
    DirEntries out;
    const int fd = ::dup(dir.fd()); // fdopendir takes ownership
    if (fd < 0) {
        out.error = std::string("cannot list folder: ") + std::strerror(errno);
        return out;
    }
    DIR* d = ::fdopendir(fd);
    if (d == nullptr) {
        out.error = std::string("cannot list folder: ") + std::strerror(errno);
        ::close(fd);
        return out;
    }
    ::rewinddir(d);
    while (const dirent* e = ::readdir(d)) {
        const std::string name = e->d_name;
        if (name == "." || name == "..")
            continue;
        // Dot files are editor or package-manager leftovers, never policy.
        if (endsWith(name, ".toml") && name[0] != '.')
            out.policyFiles.push_back(name);
        else
            out.ignored.push_back(name);
    }
    ::closedir(d);
    std::sort(out.policyFiles.begin(), out.policyFiles.end());
    std::sort(out.ignored.begin(), out.ignored.end());
    return out;
}

std::pair<std::string, std::string> splitPath(const std::string& path) {
    const std::filesystem::path p(path);
    std::string dir = p.parent_path().string();
    if (dir.empty())
        dir = ".";
    return {dir, p.filename().string()};
}

} // namespace

// ---------------------------------------------------------------------------------------------

std::string SourceLocation::format() const {
    // A file name is bytes from a folder listing: escaped like any other untrusted text.
    const std::string name = shown(file, kMaxPathLength);
    if (line == 0)
        return name;
    if (column == 0)
        return name + ":" + std::to_string(line);
    return name + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string Diagnostic::format() const {
    const char* label = severity == Severity::Error ? "error" : severity == Severity::Warning ? "warning" : "note";
    std::string out = where.file.empty() ? std::string("policy") : where.format();
    return out + ": " + label + ": " + message;
}

bool LoadResult::ok() const { return errorCount() == 0; }

std::size_t LoadResult::errorCount() const {
    return static_cast<std::size_t>(std::count_if(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& d) {
        return d.severity == Diagnostic::Severity::Error;
    }));
}

PolicyLocation resolvePolicyLocation(const std::optional<std::string>& fileOption,
                                     const std::optional<std::string>& dirOption,
                                     const std::optional<std::string>& environment) {
    PolicyLocation location;
    if (fileOption) {
        location.mainFile = *fileOption;
        location.mainFileRequired = true;
    } else if (environment && !environment->empty()) {
        location.mainFile = *environment;
        location.mainFileRequired = true;
    }
    if (dirOption) {
        location.dropInDir = *dirOption;
    } else {
        const std::filesystem::path main(location.mainFile);
        location.dropInDir = (main.parent_path().empty() ? std::filesystem::path(".") : main.parent_path()) / "policy.d";
    }
    return location;
}

LoadResult parsePolicyDocuments(std::span<const PolicyDocument> documents, const LoadOptions& options) {
    LoadResult result;
    for (const PolicyDocument& doc : documents) {
        Context ctx{result.policy, result.provenance, result.diagnostics, doc.name};
        parseDocument(doc, ctx);
        result.files.push_back(doc.name);
    }
    finish(result, options, result.files);
    return result;
}

LoadResult loadPolicy(const PolicyLocation& location, const LoadOptions& options) {
    LoadResult result;
    std::vector<PolicyDocument> documents;
    std::vector<std::string> fileOrder{location.mainFile, splitPath(location.mainFile).first, location.dropInDir};
    auto fail = [&](const std::string& file, const std::string& message) {
        result.diagnostics.push_back({Diagnostic::Severity::Error, {file, 0, 0}, message});
    };

    const auto [mainDir, mainName] = splitPath(location.mainFile);
    const SecureDirectory mainFolder = SecureDirectory::open(mainDir, options.security);
    if (mainFolder.status() == SecureDirectory::Status::Refused) {
        fail(mainDir, mainFolder.error());
    } else if (mainFolder.status() == SecureDirectory::Status::Missing || mainName.empty()) {
        if (location.mainFileRequired)
            fail(location.mainFile, mainName.empty() ? "not a file name" : "cannot open: folder does not exist");
    } else {
        SecureFileRead read = readSecureFile(mainFolder, mainName, options.security, options.maxFileSize);
        if (read.status == SecureFileRead::Status::Ok)
            documents.push_back({location.mainFile, std::move(read.content)});
        else if (read.status == SecureFileRead::Status::Refused || location.mainFileRequired)
            fail(location.mainFile, read.error);
    }
    if (documents.empty() && result.diagnostics.empty()) {
        result.diagnostics.push_back({Diagnostic::Severity::Note, {location.mainFile, 0, 0},
                                      "no main policy file: built-in defaults apply"});
    }

    const SecureDirectory dropIns = SecureDirectory::open(location.dropInDir, options.security);
    if (dropIns.status() == SecureDirectory::Status::Refused) {
        fail(location.dropInDir, dropIns.error());
    } else if (dropIns.status() == SecureDirectory::Status::Ok) {
        DirEntries entries = listDropIns(dropIns);
        // --policy-dir pointing at the main file's own folder must not apply the main file twice.
        struct stat mainSt {};
        struct stat dropSt {};
        if (mainFolder.status() == SecureDirectory::Status::Ok && ::fstat(mainFolder.fd(), &mainSt) == 0 &&
            ::fstat(dropIns.fd(), &dropSt) == 0 && mainSt.st_dev == dropSt.st_dev && mainSt.st_ino == dropSt.st_ino) {
            std::erase(entries.policyFiles, mainName);
        }
        if (!entries.error.empty())
            fail(location.dropInDir, entries.error);
        if (entries.policyFiles.size() > options.maxDropIns) {
            fail(location.dropInDir, "too many drop-in files (" + std::to_string(entries.policyFiles.size()) +
                                         ", at most " + std::to_string(options.maxDropIns) + ")");
        } else {
            for (const std::string& name : entries.policyFiles) {
                const std::string path = (std::filesystem::path(location.dropInDir) / name).string();
                fileOrder.push_back(path);
                SecureFileRead read = readSecureFile(dropIns, name, options.security, options.maxFileSize);
                if (read.status == SecureFileRead::Status::Ok)
                    documents.push_back({path, std::move(read.content)});
                else if (read.status == SecureFileRead::Status::Refused)
                    fail(path, read.error);
                // Missing: deleted since the listing; the watcher will report the change.
            }
        }
        for (const std::string& name : entries.ignored) {
            result.diagnostics.push_back({Diagnostic::Severity::Note,
                                          {(std::filesystem::path(location.dropInDir) / name).string(), 0, 0},
                                          "ignored: only *.toml files not starting with '.' are read"});
        }
    }

    // Parse even when a file was refused, so that one run reports everything there is to fix.
    LoadResult parsed;
    for (const PolicyDocument& doc : documents) {
        Context ctx{parsed.policy, parsed.provenance, parsed.diagnostics, doc.name};
        parseDocument(doc, ctx);
        parsed.files.push_back(doc.name);
    }
    parsed.diagnostics.insert(parsed.diagnostics.begin(), result.diagnostics.begin(), result.diagnostics.end());
    finish(parsed, options, fileOrder);
    return parsed;
}

std::vector<std::string> knownPolicyKeys() {
    std::vector<std::string> keys;
    for (const SectionSpec& s : kSections) {
        for (const KeySpec& k : s.keys)
            keys.push_back(std::string(s.name) + "." + std::string(k.name));
    }
    for (std::string_view item : kSharedItemKeys)
        keys.push_back("accounts.shared." + std::string(item));
    return keys;
}

std::vector<std::pair<std::string, std::string>> refusedPolicyKeys() {
    std::vector<std::pair<std::string, std::string>> out;
    for (const RefusedKey& r : kRefusedKeys)
        out.emplace_back(r.key, r.reason);
    return out;
}

} // namespace cpslock::policy
