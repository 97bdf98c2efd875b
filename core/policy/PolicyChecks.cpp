// SPDX-License-Identifier: EUPL-1.2
#include "core/policy/PolicyChecks.h"

#include "core/policy/PolicyText.h"

#include <algorithm>
#include <initializer_list>
#include <tuple>

namespace cpslock::policy::detail {

namespace {

void add(LoadResult& result, Diagnostic::Severity severity, SourceLocation where, std::string message) {
    result.diagnostics.push_back({severity, std::move(where), std::move(message)});
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

void checkPaths(LoadResult& result, const PathProbe& probe, const LoadOptions& options) {
    auto check = [&](const std::string& key, const std::string& path, PathKind kind, std::string_view consequence) {
        const Result<void> usable = probe(path, kind);
        auto where = result.provenance.find(key);
        if (usable) {
            if (options.contentCheck && (key == "trust.denylist" || key == "trust.anchors_dir")) {
                for (const std::string& error : options.contentCheck(key, path))
                    result.diagnostics.push_back(contentDiagnostic(key, path, error, where, result.provenance));
            }
            return;
        }
        const std::string& why = usable.error().message;
        if (where != result.provenance.end()) {
            add(result, Diagnostic::Severity::Error, where->second, "'" + key + "' = \"" + shown(path) + "\": " + why);
        } else {
            // Built-in defaults are the packaged paths: a missing one is the consumer's refusal (a
            // warning here), but one that exists and is insecure is never used (issue 10, finding 5:
            // a group-writable default anchors folder authenticated a planted CA).
            const bool missing = why.rfind("does not exist", 0) == 0;
            add(result, missing ? Diagnostic::Severity::Warning : Diagnostic::Severity::Error, {},
                "'" + key + "' (default \"" + path + "\"): " + why + "; " + std::string(consequence));
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
        add(result, Diagnostic::Severity::Error, located({"session.idle_warning", "session.idle_timeout"}),
            "'session.idle_warning' (" + formatDuration(p.session.idleWarning) +
                ") must be shorter than 'session.idle_timeout' (" + formatDuration(p.session.idleTimeout) + ")");
    }
    for (const SharedAccount& a : p.accounts.shared) {
        for (CardType t : a.cardTypes) {
            if (std::find(p.cards.allowedTypes.begin(), p.cards.allowedTypes.end(), t) == p.cards.allowedTypes.end()) {
                add(result, Diagnostic::Severity::Warning, located({"accounts.shared"}),
                    "shared account '" + a.user + "' accepts " + std::string(policyName(t)) +
                        " cards, which 'cards.allowed_types' refuses: they will not open it");
            }
        }
    }
    if (p.trust.revocation == RevocationMode::Off) {
        add(result, Diagnostic::Severity::Warning, located({"trust.revocation"}),
            "revocation checks are off: an opposed (lost, stolen) card still unlocks");
    }
    if (p.session.removalAction == RemovalAction::None) {
        add(result, Diagnostic::Severity::Warning, located({"session.removal_action"}),
            "removing the card does not lock the session");
    }
}

} // namespace

void finish(LoadResult& result, const PathProbe& probe, const LoadOptions& options,
            const std::vector<std::string>& fileOrder) {
    if (result.ok()) {
        checkPaths(result, probe, options);
        crossChecks(result);
    }
    auto rank = [&](const std::string& file) {
        const auto it = std::find(fileOrder.begin(), fileOrder.end(), file);
        return static_cast<std::size_t>(it - fileOrder.begin());
    };
    std::stable_sort(result.diagnostics.begin(), result.diagnostics.end(),
                     [&](const Diagnostic& a, const Diagnostic& b) {
                         return std::tuple(a.severity, rank(a.where.file), a.where.line, a.where.column) <
                                std::tuple(b.severity, rank(b.where.file), b.where.line, b.where.column);
                     });
}

} // namespace cpslock::policy::detail
