// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace cpslock {

/// Why a card did not open a session. The string names (toString) are stable: they appear in
/// cpslock-auth's answer line, the audit log and the policy file, so never rename one.
/// Success is not a reason: a verification step returns Result<void, Refusal> (or Result<T, Refusal>): ok = passed.
enum class RefusalReason {
    NoCard,             ///< "no-card": no card in the reader
    NotCps,             ///< "not-cps": a card, but not a CPS (Vitale, bank card, other issuer)
    Contactless,        ///< "contactless": CPS read over its contactless interface (no PIN)
    WrongPin,           ///< "wrong-pin": PIN refused by the card; triesLeft set when known
    PinLocked,          ///< "pin-locked": the card is blocked (no tries left)
    LastTryRefused,     ///< "last-try-refused": one try left, the policy keeps it for CPS Gestion
    UntrustedChain,     ///< "untrusted-chain": certificate does not chain to a trusted IGC-Santé root
    Expired,            ///< "expired": a certificate of the chain is past its notAfter
    NotYetValid,        ///< "not-yet-valid": a certificate of the chain is before its notBefore
    Revoked,            ///< "revoked": listed in a CRL
    CrlStale,           ///< "crl-stale": CRL missing, too old or past nextUpdate (hard mode)
    KeyMismatch,        ///< "key-mismatch": the card's signature does not match its certificate
    BadKeyUsage,        ///< "bad-key-usage": certificate not meant for authentication
    Denylisted,         ///< "denylisted": card serial or certificate in the local deny-list
    CardTypeNotAllowed, ///< "card-type-not-allowed": e.g. a CPF where the policy accepts CPS only
    NotMapped,          ///< "not-mapped": this holder may not open the requested account
    CardRemoved,        ///< "card-removed": the card left the reader during the check
    ModuleError,        ///< "module-error": PKCS#11 module or card failure
    PolicyError,        ///< "policy-error": policy or trust configuration unusable
    ReaderUnavailable,  ///< "reader-unavailable": no reader, or the smart-card service (pcscd) is down
    SeveralCards,       ///< "several-cards": more than one CPS card present and no reader named
    ReportedLost,       ///< "reported-lost": the card was reported lost or stolen on this PC (cpslockd)
    ServiceUnavailable, ///< "service-unavailable": cpslockd, the card authority, cannot be reached
    CheckFailed,        ///< "check-failed": the card worker crashed, hung or answered garbage (a hostile card?)
    CardNotUsable,      ///< "card-not-usable": PC/SC sees a CPS, the PKCS#11 module shows no usable token for it
    CardNeedsUpdate,    ///< "card-needs-update": Cryptolib CKR_ASIP_BAD_EF_ACTUA (télé-actualisation pending)
    CardNeedsReinit,    ///< "card-needs-reinit": Cryptolib CKR_ASIP_REINIT_NEEDED
    // The IGC-Santé card authentication profile (docs/card-identity.md), one reason per rule.
    NotEndEntity,           ///< "not-end-entity": a CA certificate (CA:TRUE, keyCertSign or cRLSign)
    BadExtendedKeyUsage,    ///< "bad-extended-key-usage": no clientAuth (missing, emailProtection only, any)
    NotCardCertificate,     ///< "not-card-certificate": product category is not a card (software certificate)
    UnknownCardType,        ///< "unknown-card-type": card type extension missing, unknown or contradicted
    CardSerialMismatch,     ///< "card-serial-mismatch": token id malformed or not the serial of the card read
    IssuerNotAllowed,       ///< "issuer-not-allowed": chain fine, but not through a pinned card-issuing CA
    IssuerCardTypeMismatch, ///< "issuer-card-type-mismatch": e.g. a "CPS" issued by the CPE CA
    WeakCrypto,             ///< "weak-crypto": RSA below 2048 bits or a signature hash below SHA-256
    BadCertificatePolicy,   ///< "bad-certificate-policy": policies missing, anyPolicy, legacy or not required
    BadSubject,             ///< "bad-subject": subject not the IGC-Santé holder shape (idNat, names)
    MalformedCertificate,   ///< "malformed-certificate": an RFC 5280 violation (version, serial, extensions...)
};

/// Every reason, in declaration order (for tests, docs, and exhaustive checks).
std::span<const RefusalReason> allRefusalReasons();

/// Stable kebab-case name ("wrong-pin").
std::string_view toString(RefusalReason reason);
/// Inverse of toString; nullopt for an unknown name (exact, case-sensitive match).
std::optional<RefusalReason> refusalReasonFromString(std::string_view name);

enum class Language { French, English };

/// Message for the person at the screen (a doctor, not an engineer). `triesLeft` is used by
/// wrong-pin only. Never contains technical detail.
std::string userMessage(RefusalReason reason, Language language, std::optional<int> triesLeft = std::nullopt);

/// A refusal as it travels from the card checks to the PAM module and the audit log.
struct Refusal {
    RefusalReason reason = RefusalReason::ModuleError;
    std::string detail;           ///< technical, for the log (never a PIN)
    std::optional<int> triesLeft; ///< PIN tries left, when the card said so

    std::string messageFr() const { return userMessage(reason, Language::French, triesLeft); }
    std::string messageEn() const { return userMessage(reason, Language::English, triesLeft); }
};

} // namespace cpslock
