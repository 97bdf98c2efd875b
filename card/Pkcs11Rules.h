// SPDX-License-Identifier: EUPL-1.2
#pragma once

// The pure decisions of the PKCS#11 check: no module, no I/O. Unit-tested on their own.

#include "card/Pkcs11Failure.h"
#include "core/Hex.h"
#include "core/Settings.h"

#include <p11-kit/pkcs11.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cpslock::card {

/// ANS Cryptolib CPS vendor codes (CKR_VENDOR_DEFINED + n), from C_OpenSession and C_Login: the
/// card's EF_ACTUA says it needs a remote update, or the card must be re-initialised.
inline constexpr CK_RV kCkrAsipBadEfActua = CKR_VENDOR_DEFINED + 1;
inline constexpr CK_RV kCkrAsipReinitNeeded = CKR_VENDOR_DEFINED + 2;

/// "CKR_PIN_INCORRECT", or "CKR_0x…" for a value the table does not know.
std::string ckrName(CK_RV rv);

/// Failure for a CK_RV that ends the check. CKR_OK is not a failure: do not ask.
Pkcs11Failure failureForRv(CK_RV rv);

/// Error with the CK_RV name in the detail: "C_Login: CKR_PIN_LOCKED".
Pkcs11Error errorForRv(std::string_view call, CK_RV rv);

/// A fixed-size, blank-padded PKCS#11 text field (slot description, label, serial) as a string:
/// stops at the first NUL (some modules pad with zeros), drops trailing spaces.
std::string trimPadded(std::span<const unsigned char> field);

/// What the token flags say of the user PIN.
struct PinCounter {
    bool locked = false;
    bool finalTry = false;
    bool countLow = false;
    /// 0 when locked, 1 on the final try; nullopt when the token gives no exact count (COUNT_LOW
    /// means "at least one wrong try", not how many remain).
    std::optional<unsigned> triesLeft;
};
PinCounter pinCounterFromFlags(CK_FLAGS tokenFlags);

/// pin.last_try, one type for the policy and the token (core/Settings.h).
using cpslock::FinalTryPolicy;

/// Checks made before C_Login, so that a locked card or a last try is refused without spending
/// it. nullopt: go on with the login.
std::optional<Pkcs11Error> refusalBeforeLogin(CK_FLAGS tokenFlags, FinalTryPolicy policy);

/// Error for a failed C_Login, given the token flags read again after it.
Pkcs11Error loginFailure(CK_RV rv, CK_FLAGS flagsAfter);

/// DER DigestInfo for SHA-256 (RFC 8017 §9.2): what CKM_RSA_PKCS signs when the token lacks
/// CKM_SHA256_RSA_PKCS. Empty when hash is not 32 bytes.
Bytes sha256DigestInfo(std::span<const std::uint8_t> hash);

/// One certificate object of the token, as seen by the pair selection.
struct CertificateCandidate {
    Bytes id;
    std::string label;
    /// X509v3 keyUsage bits (OpenSSL KU_* values); nullopt when the extension is absent.
    std::optional<std::uint32_t> keyUsage;
    std::size_t index = 0; ///< caller's index, returned by choosePair
};

/// One private key object of the token.
struct KeyCandidate {
    Bytes id;
    std::string label;
    bool canSign = false;
    std::size_t index = 0;
};

struct PairChoice {
    std::size_t certificate = 0; ///< CertificateCandidate::index
    std::size_t key = 0;         ///< KeyCandidate::index
};

/// The certificate + private key pair that proves the holder: same non-empty CKA_ID, key with
/// CKA_SIGN. Preference: the CPS authentication pair (CPS_PRIV_AUT / "Certificat
/// d'Authentification CPS"), then a certificate with digitalSignature, then one without keyUsage,
/// then non-repudiation alone (a signature key) as a last resort. The CPS technical pair
/// (contactless) and certificates whose keyUsage allows no signature are never chosen.
std::optional<PairChoice> choosePair(const std::vector<CertificateCandidate>& certificates,
                                     const std::vector<KeyCandidate>& keys);

/// Labels of the CPS objects (Cryptolib CPS and OpenSC).
inline constexpr std::string_view kCpsAuthCertLabel = "Certificat d'Authentification CPS";
inline constexpr std::string_view kCpsSignCertLabel = "Certificat de Signature CPS";
inline constexpr std::string_view kCpsTechCertLabel = "Certificat Technique CPS";
inline constexpr std::string_view kCpsAuthKeyLabel = "CPS_PRIV_AUT";
inline constexpr std::string_view kCpsSignKeyLabel = "CPS_PRIV_SIG";
inline constexpr std::string_view kCpsTechKeyLabel = "CPS_PRIV_TECH_AUT";

} // namespace cpslock::card
