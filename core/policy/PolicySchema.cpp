// SPDX-License-Identifier: EUPL-1.2
#include "core/policy/PolicySchema.h"

#include <array>

namespace cpslock::policy::detail {

namespace {

constexpr std::size_t kMaxModules = 8;

constexpr Duration kMinute{60};
constexpr Duration kHour{3600};
constexpr Duration kDay{86400};

// The key tables stay one key per row; clang-format would split the appliers unevenly.
// clang-format off
constexpr KeySpec kSessionKeys[] = {
    {"removal_action",
     [](Context& c, const std::string& k, const toml::node& n) {
         return assign(c.policy.session.removalAction, getEnum(c, k, n, kRemovalActionNames));
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
// clang-format on

// clang-format off
constexpr KeySpec kServiceKeys[] = {
    {"loss_action",
     [](Context& c, const std::string& k, const toml::node& n) {
         return assign(c.policy.service.lossAction, getEnum(c, k, n, kServiceLossActionNames));
     }},
    {"loss_grace",
     [](Context& c, const std::string& k, const toml::node& n) {
         return assign(c.policy.service.lossGrace, getDuration(c, k, n, Duration{0}, 5 * kMinute, true));
     }},
};
// clang-format on

// clang-format off
constexpr KeySpec kPkcs11Keys[] = {
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
// clang-format on

// clang-format off
constexpr KeySpec kPcscKeys[] = {
    {"socket",
     [](Context& c, const std::string& k, const toml::node& n) {
         return assign(c.policy.pcsc.socket, getAbsolutePath(c, k, n));
     }},
};
// clang-format on

// clang-format off
constexpr KeySpec kCardsKeys[] = {
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
                 c.errorAt(key, "invalid OID '" + shown(oid) + "' in '" + k +
                                    "' (dotted decimal, e.g. \"1.2.250.1.71.1.2.3\")");
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
// clang-format on

// clang-format off
constexpr KeySpec kPinKeys[] = {
    {"last_try",
     [](Context& c, const std::string& k, const toml::node& n) {
         return assign(c.policy.pin.lastTry, getEnum(c, k, n, kFinalTryPolicyNames));
     }},
};
// clang-format on

// clang-format off
constexpr KeySpec kTrustKeys[] = {
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
         return assign(c.policy.trust.revocation, getEnum(c, k, n, kRevocationModeNames));
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
// clang-format on

constexpr RefusedKey kRefusedKeys[] = {
    {"cards.allow_contactless",
     "not supported: a contactless CPS has no PIN, only a technical key, and never unlocks a session"},
    {"trust.lost_reports_dir",
     "retired: lost-card reports are kept by cpslockd (tray, `cpslock report-lost`); remove this line and the "
     "old drop-box folder"},
};

} // namespace

std::span<const SectionSpec> sections() {
    // Built on first use: the tables of PolicyAccountsSchema.cpp are not ready at static init.
    static const std::array<SectionSpec, 11> kSections{{
        {"session", kSessionKeys},
        {"service", kServiceKeys},
        {"pkcs11", kPkcs11Keys},
        {"cards", kCardsKeys},
        {"pin", kPinKeys},
        {"trust", kTrustKeys},
        {"accounts", accountsKeys()},
        {"lost_card", lostCardKeys()},
        {"audit", auditKeys()},
        {"locker", lockerKeys()},
        {"pcsc", kPcscKeys},
    }};
    return kSections;
}

std::span<const RefusedKey> refusedKeys() {
    return kRefusedKeys;
}

} // namespace cpslock::policy::detail

namespace cpslock::policy {

std::vector<std::string> knownPolicyKeys() {
    std::vector<std::string> keys;
    for (const detail::SectionSpec& s : detail::sections()) {
        for (const detail::KeySpec& k : s.keys)
            keys.push_back(std::string(s.name) + "." + std::string(k.name));
    }
    for (std::string_view item : detail::sharedItemKeys())
        keys.push_back("accounts.shared." + std::string(item));
    return keys;
}

std::vector<std::pair<std::string, std::string>> refusedPolicyKeys() {
    std::vector<std::pair<std::string, std::string>> out;
    for (const detail::RefusedKey& r : detail::refusedKeys())
        out.emplace_back(r.key, r.reason);
    return out;
}

} // namespace cpslock::policy
