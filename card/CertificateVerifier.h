#pragma once

#include "card/Denylist.h"
#include "card/TrustStore.h"
#include "core/Hex.h"
#include "core/Refusal.h"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace cpslock::card {

enum class RevocationMode {
    Hard, ///< no usable CRL (missing, stale) refuses: crl-stale
    Soft, ///< no usable CRL is a warning; a CRL that lists the certificate still refuses
    Off,  ///< CRLs are not read at all
};

struct RevocationConfig {
    RevocationMode mode = RevocationMode::Hard;
    std::filesystem::path crlFolder;                  ///< every file in it: DER or PEM CRLs
    std::chrono::seconds maxCrlAge{std::chrono::hours(24 * 7)}; ///< since the CRL's thisUpdate
};

/// Outcome of a certificate check. `refusal` is empty when the card may go on to the next step.
struct CertificateCheck {
    std::optional<Refusal> refusal;
    std::vector<std::string> warnings; ///< technical, for logs (soft-mode CRL problems...)
    bool revocationUnchecked = false;  ///< soft mode could not check revocation (or mode off)
    std::string sha256Hex;             ///< SHA-256 of the certificate DER, lower-case hex (set when parsed)
    std::string serialHex;             ///< certificate serial number, upper-case hex
    std::string subject;               ///< RFC 2253 one-line subject, UTF-8
    std::chrono::system_clock::time_point notAfter{};
    Bytes publicKeyDer;                ///< SubjectPublicKeyInfo, for the challenge-signature check

    bool ok() const { return !refusal.has_value(); }
};

/// Checks a card's authentication certificate: chain to a trust anchor (no partial chain), dates,
/// digitalSignature key usage, CRL per revocation mode, local deny-list. Pure function of its
/// inputs and `now`: no network, no wall clock.
class CertificateVerifier {
public:
    /// The verifier keeps references: `trust` and `denylist` must outlive it.
    CertificateVerifier(const TrustStore& trust, RevocationConfig revocation, const Denylist& denylist);

    /// `cardCertificateDer`: the card's authentication certificate. `cardIntermediatesDer`: extra
    /// CA certificates read from the card (untrusted, path building only). `cardSerial`: the serial
    /// from EF.SN.ICC, for the deny-list (may be empty).
    CertificateCheck verify(std::span<const std::uint8_t> cardCertificateDer,
                            const std::vector<Bytes>& cardIntermediatesDer, std::string_view cardSerial,
                            std::chrono::system_clock::time_point now) const;

private:
    const TrustStore& m_trust;
    RevocationConfig m_revocation;
    const Denylist& m_denylist;
};

} // namespace cpslock::card
