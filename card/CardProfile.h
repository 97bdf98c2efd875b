// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "card/HolderIdentity.h"
#include "core/Refusal.h"
#include "core/Result.h"

#include <openssl/x509.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cpslock::card {

/// ANS private extensions of a CPx certificate (docs/card-identity.md, NOS TRE_G01 / TRE_G02, MOS
/// Certificat.tokenId). Together they say "this key lives on a card", which subject, keyUsage and
/// EKU cannot: an IGC-Santé software certificate has the same subject shape as a CPS.
inline constexpr std::string_view kOidProductCategory = "1.2.250.1.71.1.2.5"; ///< OCTET STRING, 00 = CPx
inline constexpr std::string_view kOidCardType = "1.2.250.1.71.1.2.2";        ///< INTEGER, 0 CPS .. 3 CPA
inline constexpr std::string_view kOidTokenId = "1.2.250.1.71.1.2.3";         ///< "8025000001/<10 digits>"
inline constexpr std::string_view kAnsTokenIssuer = "8025000001";
inline constexpr int kCategoryCard = 0x00;     ///< "Carte de Professionnel ou Personnel de Santé"
inline constexpr int kCategoryTestCard = 0x80; ///< "CPx de TEST"

/// The three card-origin extensions as read, undecided. Absent extensions stay empty.
struct CardOrigin {
    std::optional<int> productCategory; ///< the single byte of the OCTET STRING
    std::optional<long> cardTypeCode;   ///< the INTEGER
    std::optional<std::string> tokenId; ///< the string, as read (printable characters only)
    std::string error;                  ///< an extension present twice or undecodable: never trusted
};

/// Reads the card-origin extensions. Pure.
CardOrigin readCardOrigin(const X509* cert);

/// Card type named by the card-type extension code (0 CPS, 1 CPF, 2 CPE, 3 CPA); nullopt otherwise.
std::optional<CardType> cardTypeFromCode(long code);

/// "cps", "00 (CPx)", "80 (CPx de TEST)"... for display.
std::string describeProductCategory(int category);

/// What the verifier accepts as a card's authentication certificate. Key identifiers are upper-case
/// hex without colons. production() is the default of the policy (core/policy/Policy.h).
struct CardProfile {
    std::map<CardType, std::vector<std::string>> issuers; ///< card type -> SKIs of the CAs that issue it
    std::vector<std::string> roots;                       ///< SKIs of the roots a chain may end on
    bool testPki = false;                                 ///< accept product category 80 (CPx de TEST)
    std::vector<std::string> requiredPolicyOids;          ///< empty: presence only
    std::map<std::string, CardType> typeOids;             ///< policy OID -> type, a cross-check only
    bool subjectCrossCheck = true;                        ///< subject shape must agree with the card type
    int minRsaBits = 2048;
    int minSignatureSecurityBits = 128; ///< SHA-256 and stronger

    static CardProfile production();
};

/// What the named checks learned about the leaf, for the verdict and the audit.
struct ProfileFacts {
    CardOrigin origin;
    std::optional<CardType> cardType;    ///< from the card-type extension, once accepted
    std::string tokenSerial;             ///< the 10 digits after "8025000001/", once well-formed
    std::string issuerKeyId;             ///< SKI of the issuing CA (upper-case hex)
    std::vector<std::string> policyOids; ///< every certificatePolicies OID, dotted
    std::optional<HolderIdentity> holder;
};

// The named checks, one per rule of the IGC-Santé card authentication profile. Each returns the
// refusal for its rule as the error, or success. `leaf` is the card certificate; `chain` leaf first, root last.

/// RFC 5280 structure of an end-entity certificate: v3, positive serial of at most 20 octets,
/// notBefore before notAfter, same signature algorithm inside and outside, no duplicate extension,
/// no unknown critical extension, key identifiers present, every extension decodable.
Result<void, Refusal> checkStructure(X509* leaf);
/// basicConstraints CA:TRUE, keyCertSign or cRLSign: a CA certificate never logs anyone in.
Result<void, Refusal> checkEndEntity(X509* leaf);
/// keyUsage present, critical, digitalSignature, and not nonRepudiation (the card's signature key).
Result<void, Refusal> checkKeyUsage(X509* leaf);
/// extendedKeyUsage present with clientAuth; anyExtendedKeyUsage, emailProtection, serverAuth,
/// codeSigning, timeStamping, OCSPSigning refused. smartcardLogon tolerated.
Result<void, Refusal> checkExtendedKeyUsage(X509* leaf);
/// RSA keys of at least minRsaBits on every certificate; signatures of at least
/// minSignatureSecurityBits except the self-signed root's own (it is trusted by its pin).
Result<void, Refusal> checkCryptoFloor(STACK_OF(X509) * chain, const CardProfile& profile);
/// The leaf's issuer is a pinned card-issuing CA (any card type) and the root a pinned root.
Result<void, Refusal> checkIssuerPinned(STACK_OF(X509) * chain, const CardProfile& profile, ProfileFacts& facts);
/// Product category is a card (00, or 80 with a declared test PKI).
Result<void, Refusal> checkProductCategory(const CardProfile& profile, ProfileFacts& facts);
/// Card-type extension present and one of CPS, CPF, CPE, CPA.
Result<void, Refusal> checkCardType(ProfileFacts& facts);
/// Token id "8025000001/<10 digits>" and its serial equal to EF.SN.ICC of the card in the reader.
Result<void, Refusal> checkTokenId(std::string_view cardSerial, ProfileFacts& facts);
/// The issuing CA is one the profile lists for this card type.
Result<void, Refusal> checkIssuerMatchesCardType(const CardProfile& profile, const ProfileFacts& facts);
/// certificatePolicies present, not anyPolicy nor the legacy GIP-CPS arc, one of the required OIDs.
Result<void, Refusal> checkCertificatePolicies(X509* leaf, const CardProfile& profile, ProfileFacts& facts);
/// Subject in the IGC-Santé holder shape (C=FR, idNat CN, names), UPN (if any) = CN@carte-cps.fr.
Result<void, Refusal> checkSubject(X509* leaf, ProfileFacts& facts);
/// The card type from the extension agrees with the subject shape and the policy-OID mapping.
Result<void, Refusal> checkCardTypeCrossCheck(const CardProfile& profile, ProfileFacts& facts);

} // namespace cpslock::card
