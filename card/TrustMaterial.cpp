// SPDX-License-Identifier: EUPL-1.2
#include "card/TrustMaterial.h"

#include "core/policy/Policy.h"

namespace cpslock::card {

std::optional<std::string> loadAnchorFolder(TrustStore& store, const std::filesystem::path& folder) {
    if (auto error = store.addAnchorFolder(folder))
        return error;
    if (store.anchors().empty())
        return "no trust anchor (self-signed CA certificate) in this folder: every card would be refused";
    return std::nullopt;
}

TrustMaterial loadTrustMaterial(const policy::Policy& policy) {
    TrustMaterial material;
    if (auto error = loadAnchorFolder(material.trust, policy.trust.anchorsDir)) {
        material.error = Refusal{RefusalReason::PolicyError, "trust anchors: " + *error, std::nullopt};
        return material;
    }
    // Read once, by Denylist::load: a deny-list that cannot be read (missing, symlinked, too big)
    // must never become an empty one. Lost-card reports are cpslockd's (checked after the worker).
    auto parsed = Denylist::load(policy.trust.denylist);
    if (!parsed.ok()) {
        material.error = Refusal{RefusalReason::PolicyError, "deny-list: " + parsed.errors.front(), std::nullopt};
        return material;
    }
    material.denylist = std::move(parsed.list);
    if (policy.trust.revocation != RevocationMode::Off && !policy.trust.crlDir.empty())
        material.crls = std::make_shared<const CrlSet>(loadCrlFolder(policy.trust.crlDir));
    return material;
}

} // namespace cpslock::card
