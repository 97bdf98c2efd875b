// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "card/TrustStore.h"

#include <chrono>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace cpslock::card {

/// The newest CRL installed for one CA certificate of the trust anchors, judged as the revocation
/// check judges it (card/CertificateVerifier): for `cpslock check-policy` and cpslockd's `status`.
struct CaCrlStatus {
    enum class State { Fresh, Stale, Expired, Future, Missing };
    std::string caSubject;
    std::string keyId;      ///< the CA's subject key identifier, upper-case hex
    bool root = false;      ///< self-signed
    bool cardChain = false; ///< pinned by the policy (trust.issuers_* or trust.roots)
    State state = State::Missing;
    std::filesystem::path file;
    std::optional<std::chrono::system_clock::time_point> thisUpdate;
    std::optional<std::chrono::system_clock::time_point> nextUpdate;

    bool usable() const { return state == State::Fresh; }
    /// One line: "fresh    AC IGC-SANTE FORT PERSONNES: thisUpdate ... (3 h old), nextUpdate ... [file]".
    std::string describe(std::chrono::system_clock::time_point now) const;
};

struct CrlReport {
    std::vector<CaCrlStatus> cas;
    std::vector<std::string> warnings; ///< unreadable files of the CRL folder
    /// Card-issuing CAs (trust.issuers_*) present in the anchors whose chain has usable CRLs at
    /// every link: with revocation "hard", cards of other issuers are all refused.
    std::vector<std::string> usableIssuers;
    /// trust.issuers_* key ids found among the anchors at all.
    std::vector<std::string> presentIssuers;
};

/// `issuerKeyIds`: trust.issuers_* (all types); `rootKeyIds`: trust.roots.
CrlReport crlStatus(const TrustStore& store, const std::filesystem::path& crlFolder, std::chrono::seconds maxAge,
                    const std::set<std::string>& issuerKeyIds, const std::set<std::string>& rootKeyIds,
                    std::chrono::system_clock::time_point now);

const char* toString(CaCrlStatus::State state);

/// The CN of a one-line subject ("CN=AC X,OU=..." -> "AC X"), else the whole subject.
std::string commonNameOf(const std::string& subject);

/// "3 h", "2 d 4 h": how long ago.
std::string formatAge(std::chrono::system_clock::duration age);

} // namespace cpslock::card
