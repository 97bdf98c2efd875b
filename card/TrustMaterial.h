// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "card/CertificateVerifier.h"
#include "card/Denylist.h"
#include "card/TrustStore.h"
#include "core/Refusal.h"
#include "core/Result.h"

#include <filesystem>
#include <memory>
#include <string>

namespace cpslock::policy {
struct Policy;
}

namespace cpslock::card {

/// Loads the anchors folder with the one rule every program applies: a folder without a trust
/// anchor (self-signed CA certificate) is an error, since every card would be refused.
/// Fails with the error naming the file or the folder.
Result<void> loadAnchorFolder(TrustStore& store, const std::filesystem::path& folder);

/// What the certificate checks read from the files the policy names: anchors and intermediates, the
/// deny-list and the CRLs. Read once per verification (CardVerifier loads it on a thread of its own
/// while the PKCS#11 module talks to the card: neither needs the other).
struct TrustMaterial {
    TrustStore trust;
    Denylist denylist;
    std::shared_ptr<const CrlSet> crls; ///< empty when revocation is off or no CRL folder is set
};

/// Fails with policy-error naming the file when a file the policy names cannot be used (never
/// "empty").
Result<TrustMaterial, Refusal> loadTrustMaterial(const policy::Policy& policy);

} // namespace cpslock::card
