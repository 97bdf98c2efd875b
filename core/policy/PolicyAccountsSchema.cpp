// SPDX-License-Identifier: EUPL-1.2
#include "core/policy/PolicySchema.h"

#include "core/policy/IdNat.h"

#include <set>

namespace cpslock::policy::detail {

namespace {

constexpr std::size_t kMaxHolders = 10000;
constexpr std::size_t kMaxUsersPerHolder = 16;
constexpr std::size_t kMaxShared = 256;
constexpr std::size_t kMaxProfessions = 64;
constexpr std::size_t kMaxTextLength = 2000;
constexpr std::size_t kMaxLockerArgs = 32;

constexpr std::string_view kSharedItemKeys[] = {"user", "card_types", "professions"};

std::optional<std::vector<std::string>> getProfessions(const Context& ctx, const std::string& key,
                                                       const toml::node& n) {
    return getArray<std::string>(ctx, key, n, kMaxProfessions, [&](const toml::node& e) -> std::optional<std::string> {
        auto p = getString(ctx, key, e, 128);
        if (p && p->empty()) {
            ctx.error(e, "empty profession in '" + key + "'");
            return std::nullopt;
        }
        return p;
    });
}

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
            if (!types) {
                ok = false;
            } else if (types->empty()) {
                ctx.error(value, "'" + dotted + "' is empty: no card could open this account");
                ok = false;
            } else {
                account.cardTypes = std::move(*types);
            }
        } else if (name == "professions") {
            ok = assign(account.professions, getProfessions(ctx, dotted, value)) && ok;
        } else {
            std::string message = "unknown key '" + shown(name) + "' in [[accounts.shared]]";
            if (auto near = closest(name, kSharedItemKeys))
                message += " (did you mean '" + std::string(*near) + "'?)";
            ctx.errorAt(key, message);
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

// The key tables stay one key per row; clang-format would split the appliers unevenly.
// clang-format off
constexpr KeySpec kAccountsKeys[] = {
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
                 c.errorAt(key, "invalid idNat '" + shown(id) + "' in '" + k + "': " + *why);
                 continue;
             }
             if (rppsCheckDigitMismatch(id)) {
                 c.warningAt(key, "idNat '" + id + "': the RPPS check digit does not match (typo?)");
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
// clang-format on

// clang-format off
constexpr KeySpec kLostCardKeys[] = {
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
// clang-format on

// clang-format off
constexpr KeySpec kAuditKeys[] = {
    {"sink",
     [](Context& c, const std::string& k, const toml::node& n) {
         return assign(c.policy.audit.sink, getEnum(c, k, n, kAuditDestinationNames));
     }},
};
// clang-format on

// clang-format off
constexpr KeySpec kLockerKeys[] = {
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
// clang-format on

} // namespace

std::span<const KeySpec> accountsKeys() {
    return kAccountsKeys;
}
std::span<const KeySpec> lostCardKeys() {
    return kLostCardKeys;
}
std::span<const KeySpec> auditKeys() {
    return kAuditKeys;
}
std::span<const KeySpec> lockerKeys() {
    return kLockerKeys;
}
std::span<const std::string_view> sharedItemKeys() {
    return kSharedItemKeys;
}

} // namespace cpslock::policy::detail
