// SPDX-License-Identifier: EUPL-1.2
#include "card/TrustMaterial.h"

#include "core/policy/Policy.h"

namespace cpslock::card {

Result<void> loadAnchorFolder(TrustStore& store, const std::filesystem::path& folder) {
    if (auto added = store.addAnchorFolder(folder); !added)
        return added;
    if (store.anchors().empty())
        return fail("no trust anchor (self-signed CA certificate) in this folder: every card would be refused");
    return {};
}

Result<TrustMaterial, Refusal> loadTrustMaterial(const policy::Policy& policy) {
    TrustMaterial material;
    if (auto loaded = loadAnchorFolder(material.trust, policy.trust.anchorsDir); !loaded.ok())
        return Refusal{RefusalReason::PolicyError, "trust anchors: " + loaded.error().message, std::nullopt};
    // Read once, by Denylist::load: a deny-list that cannot be read (missing, symlinked, too big)
    // must never become an empty one. Lost-card reports are cpslockd's (checked after the worker).
    auto parsed = Denylist::load(policy.trust.denylist);
    if (!parsed.ok())
        return Refusal{RefusalReason::PolicyError, "deny-list: " + parsed.errors.front(), std::nullopt};
    material.denylist = std::move(parsed.list);
    if (policy.trust.revocation != RevocationMode::Off && !policy.trust.crlDir.empty())
        material.crls = std::make_shared<const CrlSet>(loadCrlFolder(policy.trust.crlDir));
    return material;
}

} // namespace cpslock::card
