// SPDX-License-Identifier: EUPL-1.2
#include "core/policy/PolicyDescription.h"

#include "core/TextEscape.h"

#include <map>

namespace cpslock::policy {

namespace {

/// Escaping shared by TOML basic strings and JSON strings (both accept \uXXXX and these escapes).
std::string quote(std::string_view s) {
    std::string out = "\"";
    appendEscaped(out, s, EscapeStyle::Json);
    return out + "\"";
}

template <typename T, typename F> std::string list(const std::vector<T>& items, F&& render) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i)
        out += (i == 0 ? "" : ", ") + render(items[i]);
    return out + "]";
}

std::string quoteAny(const std::string& s) {
    return quote(s);
}
std::string quoteType(CardType t) {
    return quote(policyName(t));
}

struct Builder {
    const Provenance& provenance;
    std::vector<EffectiveEntry> entries;

    void add(std::string key, std::string value) { add(std::move(key), value, value); }
    void add(std::string key, std::string tomlValue, std::string jsonValue) {
        auto it = provenance.find(key);
        std::optional<SourceLocation> source;
        if (it != provenance.end())
            source = it->second;
        entries.push_back({std::move(key), std::move(tomlValue), std::move(jsonValue), std::move(source)});
    }
};

std::string diagnosticsJson(const std::vector<Diagnostic>& diagnostics, Diagnostic::Severity severity) {
    std::string out = "[";
    bool first = true;
    for (const Diagnostic& d : diagnostics) {
        if (d.severity != severity)
            continue;
        out += first ? "\n    " : ",\n    ";
        first = false;
        out += "{\"file\": " + quote(d.where.file) + ", \"line\": " + std::to_string(d.where.line) +
               ", \"column\": " + std::to_string(d.where.column) + ", \"message\": " + quote(d.message) +
               ", \"text\": " + quote(d.format()) + "}";
    }
    return out + (first ? "]" : "\n  ]");
}

} // namespace

std::vector<EffectiveEntry> describePolicy(const Policy& p, const Provenance& provenance) {
    Builder b{provenance, {}};
    b.add("session.removal_action", quote(toString(p.session.removalAction)));
    b.add("session.idle_timeout", quote(formatDuration(p.session.idleTimeout)));
    b.add("session.idle_warning", quote(formatDuration(p.session.idleWarning)));
    b.add("session.require_card", p.session.requireCard ? "true" : "false");
    b.add("session.require_card_grace", quote(formatDuration(p.session.requireCardGrace)));
    b.add("session.exempt_users", list(p.session.exemptUsers, quoteAny));
    b.add("session.exempt_groups", list(p.session.exemptGroups, quoteAny));
    b.add("service.loss_action", quote(toString(p.service.lossAction)));
    b.add("service.loss_grace", quote(formatDuration(p.service.lossGrace)));
    b.add("pkcs11.modules", list(p.pkcs11.modules, quoteAny));
    b.add("pkcs11.opensc_conf", quote(p.pkcs11.openscConf));
    b.add("pcsc.socket", quote(p.pcsc.socket));
    b.add("cards.allowed_types", list(p.cards.allowedTypes, quoteType));
    if (p.cards.typeOids.empty())
        b.add("cards.type_oids", "{}");
    for (const auto& [oid, type] : p.cards.typeOids)
        b.add("cards.type_oids." + oid, quoteType(type));
    b.add("cards.infer_type_from_subject", p.cards.inferTypeFromSubject ? "true" : "false");
    b.add("cards.required_policy_oids", list(p.cards.requiredPolicyOids, quoteAny));
    b.add("pin.last_try", quote(toString(p.pin.lastTry)));
    b.add("trust.anchors_dir", quote(p.trust.anchorsDir));
    b.add("trust.crl_dir", quote(p.trust.crlDir));
    b.add("trust.crl_urls", list(p.trust.crlUrls, quoteAny));
    b.add("trust.revocation", quote(toString(p.trust.revocation)));
    b.add("trust.crl_max_age", quote(formatDuration(p.trust.crlMaxAge)));
    b.add("trust.denylist", quote(p.trust.denylist));
    b.add("trust.issuers_cps", list(p.trust.issuersCps, quoteAny));
    b.add("trust.issuers_cpf", list(p.trust.issuersCpf, quoteAny));
    b.add("trust.issuers_cpe", list(p.trust.issuersCpe, quoteAny));
    b.add("trust.issuers_cpa", list(p.trust.issuersCpa, quoteAny));
    b.add("trust.roots", list(p.trust.roots, quoteAny));
    b.add("trust.test_pki", p.trust.testPki ? "true" : "false");
    if (p.accounts.holders.empty())
        b.add("accounts.holders", "{}");
    // One user is written as a string, as most policies do; several as an array.
    for (const auto& [id, users] : p.accounts.holders)
        b.add("accounts.holders." + id, users.size() == 1 ? quote(users.front()) : list(users, quoteAny));
    b.add("accounts.shared",
          list(p.accounts.shared,
               [](const SharedAccount& a) {
                   return "{ user = " + quote(a.user) + ", card_types = " + list(a.cardTypes, quoteType) +
                          ", professions = " + list(a.professions, quoteAny) + " }";
               }),
          list(p.accounts.shared, [](const SharedAccount& a) {
              return "{\"user\": " + quote(a.user) + ", \"card_types\": " + list(a.cardTypes, quoteType) +
                     ", \"professions\": " + list(a.professions, quoteAny) + "}";
          }));
    b.add("lost_card.phone", quote(p.lostCard.phone));
    b.add("lost_card.web", quote(p.lostCard.web));
    b.add("lost_card.text", quote(p.lostCard.text));
    b.add("audit.sink", quote(toString(p.audit.sink)));
    b.add("locker.command", list(p.locker.command, quoteAny));
    return b.entries;
}

std::string renderPolicyText(const LoadResult& result) {
    std::string out = "# effective policy; files read:";
    if (result.files.empty())
        out += " none (built-in defaults)";
    for (const std::string& f : result.files)
        out += "\n#   " + f;
    out += "\n";
    for (const EffectiveEntry& e : describePolicy(result.policy, result.provenance)) {
        std::string line = e.key + " = " + e.tomlValue;
        if (line.size() < 56)
            line.resize(56, ' ');
        out += line + "  # " + (e.source ? e.source->format() : std::string("default")) + "\n";
    }
    return out;
}

std::string renderPolicyJson(const LoadResult& result) {
    const bool valid = result.ok();
    std::string out = "{\n  \"valid\": " + std::string(valid ? "true" : "false") + ",\n  \"files\": [";
    for (std::size_t i = 0; i < result.files.size(); ++i)
        out += (i == 0 ? "" : ", ") + quote(result.files[i]);
    out += "],\n";
    if (valid) {
        const auto entries = describePolicy(result.policy, result.provenance);
        out += "  \"policy\": {";
        for (std::size_t i = 0; i < entries.size(); ++i)
            out += std::string(i == 0 ? "\n    " : ",\n    ") + quote(entries[i].key) + ": " + entries[i].jsonValue;
        out += "\n  },\n  \"sources\": {";
        for (std::size_t i = 0; i < entries.size(); ++i) {
            out += std::string(i == 0 ? "\n    " : ",\n    ") + quote(entries[i].key) + ": " +
                   quote(entries[i].source ? entries[i].source->format() : std::string("default"));
        }
        out += "\n  },\n";
    } else {
        out += "  \"policy\": null,\n  \"sources\": null,\n";
    }
    out += "  \"errors\": " + diagnosticsJson(result.diagnostics, Diagnostic::Severity::Error) + ",\n";
    out += "  \"warnings\": " + diagnosticsJson(result.diagnostics, Diagnostic::Severity::Warning) + ",\n";
    out += "  \"notes\": " + diagnosticsJson(result.diagnostics, Diagnostic::Severity::Note) + "\n}\n";
    return out;
}

std::vector<std::string> describeChanges(const Policy& before, const Policy& after) {
    const Provenance none;
    std::map<std::string, std::string> old;
    for (EffectiveEntry& e : describePolicy(before, none))
        old[e.key] = std::move(e.tomlValue);
    std::vector<std::string> changes;
    for (EffectiveEntry& e : describePolicy(after, none)) {
        auto it = old.find(e.key);
        if (it == old.end()) {
            changes.push_back(e.key + ": (unset) -> " + e.tomlValue);
            continue;
        }
        if (it->second != e.tomlValue)
            changes.push_back(e.key + ": " + it->second + " -> " + e.tomlValue);
        old.erase(it);
    }
    for (const auto& [key, value] : old)
        changes.push_back(key + ": " + value + " -> (unset)");
    return changes;
}

} // namespace cpslock::policy
