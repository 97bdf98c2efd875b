// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "card/CardProfile.h"
#include "card/CrlFile.h"
#include "card/Denylist.h"
#include "card/TrustStore.h"
#include "core/Hex.h"
#include "core/Refusal.h"
#include "core/Result.h"
#include "core/Settings.h"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace cpslock::card {

/// trust.revocation, one type for the policy and the verifier (core/Settings.h).
using cpslock::RevocationMode;

/// The CRLs of a folder, read once (unreadable files are warnings: a missing CRL is caught by the
/// freshness check, which is what hard mode refuses on).
struct CrlSet {
    std::vector<CrlFile> crls;
    std::vector<std::string> warnings;
};
CrlSet loadCrlFolder(const std::filesystem::path& folder);

struct RevocationConfig {
    RevocationMode mode = RevocationMode::Hard;
    std::filesystem::path crlFolder;                            ///< every file in it: DER or PEM CRLs
    std::chrono::seconds maxCrlAge{std::chrono::hours(24 * 7)}; ///< since the CRL's thisUpdate
    /// The folder's CRLs already read (loadCrlFolder); when set, crlFolder is not read again.
    std::shared_ptr<const CrlSet> loaded = nullptr;
};

/// Outcome of a certificate check. `refusal` is empty when the card may go on to the next step.
struct CertificateCheck {
    std::optional<Refusal> refusal;
    std::vector<std::string> warnings; ///< technical, for logs (soft-mode CRL problems...)
    bool revocationUnchecked = false;  ///< soft mode could not check revocation (or mode off)
    std::string sha256Hex;             ///< SHA-256 of the certificate DER, lower-case hex (set when parsed)
    std::string serialHex;             ///< certificate serial number, upper-case hex
    std::string subject;               ///< RFC 2253 one-line subject, UTF-8
    std::string issuer;                ///< RFC 2253 one-line issuer, UTF-8
    std::chrono::system_clock::time_point notAfter{};
    Bytes publicKeyDer; ///< SubjectPublicKeyInfo, for the challenge-signature check
    /// What the card-profile checks read (set as far as they got): card origin, issuer key id,
    /// certificate policies (recorded in the verdict and the audit), and the holder once the
    /// subject passed, with the card type from the card-type extension.
    ProfileFacts profile;

    bool ok() const { return !refusal.has_value(); }
};

/// Checks that a certificate is an IGC-Santé card's own authentication certificate
/// (docs/card-identity.md): deny-list, RFC 5280 structure, chain to a trust anchor (no partial chain)
/// and dates, then one named check per rule of the card profile (card/CardProfile.h), then the CRLs
/// per revocation mode. Every refusal's detail names the certificate judged (SHA-256, subject,
/// issuer). Pure function of its inputs and `now`: no network, no wall clock.
class CertificateVerifier {
public:
    /// The verifier keeps references: `trust` and `denylist` must outlive it.
    CertificateVerifier(const TrustStore& trust, RevocationConfig revocation, const Denylist& denylist,
                        CardProfile profile = CardProfile::production());

    /// `cardCertificateDer`: the card's authentication certificate. `cardIntermediatesDer`: extra
    /// CA certificates read from the card (untrusted, path building only). `cardSerial`: the serial
    /// from EF.SN.ICC, for the deny-list and the token id (empty: card-serial-mismatch).
    CertificateCheck verify(std::span<const std::uint8_t> cardCertificateDer,
                            const std::vector<Bytes>& cardIntermediatesDer, std::string_view cardSerial,
                            std::chrono::system_clock::time_point now) const;

private:
    Result<void, Refusal> judge(X509* leaf, const std::vector<Bytes>& cardIntermediatesDer, std::string_view cardSerial,
                                std::chrono::system_clock::time_point now, CertificateCheck& result) const;
    Result<void, Refusal> checkDenylist(std::string_view cardSerial, const CertificateCheck& result) const;
    Result<void, Refusal> checkRevocation(STACK_OF(X509) * chain, std::chrono::system_clock::time_point now,
                                          CertificateCheck& result) const;

    const TrustStore& m_trust;
    RevocationConfig m_revocation;
    const Denylist& m_denylist;
    CardProfile m_profile;
};

} // namespace cpslock::card
