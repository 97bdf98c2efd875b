// SPDX-License-Identifier: EUPL-1.2
#include "card/CardProfile.h"

#include "core/Ascii.h"

#include "card/TrustStore.h"
#include "core/Hex.h"
#include "core/policy/Policy.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <memory>
#include <set>

namespace cpslock::card {
namespace {

Refusal refuse(RefusalReason reason, std::string detail) {
    return Refusal{reason, std::move(detail), std::nullopt};
}

struct ObjectFree {
    void operator()(ASN1_OBJECT* p) const { ASN1_OBJECT_free(p); }
};
using ObjectPtr = std::unique_ptr<ASN1_OBJECT, ObjectFree>;

ObjectPtr object(std::string_view dotted) {
    return ObjectPtr(OBJ_txt2obj(std::string(dotted).c_str(), 1));
}

std::string dottedOf(const ASN1_OBJECT* obj) {
    char buffer[128];
    const int len = OBJ_obj2txt(buffer, sizeof buffer, obj, 1);
    return len > 0 && static_cast<std::size_t>(len) < sizeof buffer ? std::string(buffer, static_cast<std::size_t>(len))
                                                                    : std::string("?");
}

std::string hexOf(const ASN1_OCTET_STRING* s) {
    if (s == nullptr)
        return {};
    return toHex(
        std::span<const std::uint8_t>(ASN1_STRING_get0_data(s), static_cast<std::size_t>(ASN1_STRING_length(s))));
}

std::string subjectOf(const X509* cert) {
    return nameToString(X509_get_subject_name(cert));
}

/// The extnValue of the one extension with this OID; error when present more than once.
const ASN1_OCTET_STRING* uniqueExtension(const X509* cert, std::string_view oid, std::string& error) {
    const ObjectPtr obj = object(oid);
    if (!obj)
        return nullptr;
    const int first = X509_get_ext_by_OBJ(cert, obj.get(), -1);
    if (first < 0)
        return nullptr;
    if (X509_get_ext_by_OBJ(cert, obj.get(), first) >= 0) {
        error = "extension " + std::string(oid) + " present twice";
        return nullptr;
    }
    return X509_EXTENSION_get_data(X509_get_ext(cert, first));
}

/// Extensions this verifier (or OpenSSL's path validation) understands, so may be critical.
bool knownExtension(X509_EXTENSION* ext) {
    const ASN1_OBJECT* obj = X509_EXTENSION_get_object(ext);
    static constexpr std::array kKnown{NID_basic_constraints,
                                       NID_key_usage,
                                       NID_ext_key_usage,
                                       NID_subject_alt_name,
                                       NID_certificate_policies,
                                       NID_subject_key_identifier,
                                       NID_authority_key_identifier,
                                       NID_crl_distribution_points,
                                       NID_info_access,
                                       NID_private_key_usage_period,
                                       NID_freshest_crl,
                                       NID_name_constraints,
                                       NID_policy_constraints,
                                       NID_inhibit_any_policy,
                                       NID_issuer_alt_name};
    const int nid = OBJ_obj2nid(obj);
    if (std::find(kKnown.begin(), kKnown.end(), nid) != kKnown.end())
        return true;
    const std::string dotted = dottedOf(obj);
    return dotted == kOidProductCategory || dotted == kOidCardType || dotted == kOidTokenId;
}

int rsaBits(EVP_PKEY* key) {
    return key != nullptr && EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA ? EVP_PKEY_get_bits(key) : 0;
}

const std::vector<std::string>& issuersFor(const CardProfile& profile, CardType type) {
    static const std::vector<std::string> none;
    const auto it = profile.issuers.find(type);
    return it == profile.issuers.end() ? none : it->second;
}

bool contains(const std::vector<std::string>& list, const std::string& value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

} // namespace

CardOrigin readCardOrigin(const X509* cert) {
    CardOrigin origin;
    if (cert == nullptr)
        return origin;
    if (const ASN1_OCTET_STRING* v = uniqueExtension(cert, kOidProductCategory, origin.error)) {
        const unsigned char* p = ASN1_STRING_get0_data(v);
        const long len = ASN1_STRING_length(v);
        ASN1_OCTET_STRING* inner = d2i_ASN1_OCTET_STRING(nullptr, &p, len);
        if (inner != nullptr && p == ASN1_STRING_get0_data(v) + len && ASN1_STRING_length(inner) == 1)
            origin.productCategory = ASN1_STRING_get0_data(inner)[0];
        else
            origin.error = "product category extension is not a one-byte OCTET STRING";
        ASN1_OCTET_STRING_free(inner);
    }
    if (const ASN1_OCTET_STRING* v = uniqueExtension(cert, kOidCardType, origin.error)) {
        const unsigned char* p = ASN1_STRING_get0_data(v);
        const long len = ASN1_STRING_length(v);
        ASN1_INTEGER* inner = d2i_ASN1_INTEGER(nullptr, &p, len);
        std::int64_t value = -1;
        if (inner != nullptr && p == ASN1_STRING_get0_data(v) + len && ASN1_STRING_length(inner) <= 4 &&
            ASN1_INTEGER_get_int64(&value, inner) == 1) {
            origin.cardTypeCode = static_cast<long>(value);
        } else {
            origin.error = "card type extension is not a small INTEGER";
        }
        ASN1_INTEGER_free(inner);
    }
    if (const ASN1_OCTET_STRING* v = uniqueExtension(cert, kOidTokenId, origin.error)) {
        const unsigned char* p = ASN1_STRING_get0_data(v);
        const long len = ASN1_STRING_length(v);
        ASN1_STRING* inner = d2i_ASN1_PRINTABLESTRING(nullptr, &p, len);
        if (inner == nullptr) {
            ERR_clear_error();
            p = ASN1_STRING_get0_data(v);
            inner = d2i_ASN1_UTF8STRING(nullptr, &p, len);
        }
        if (inner != nullptr && p == ASN1_STRING_get0_data(v) + len && ASN1_STRING_length(inner) <= 64) {
            std::string text(reinterpret_cast<const char*>(ASN1_STRING_get0_data(inner)),
                             static_cast<std::size_t>(ASN1_STRING_length(inner)));
            if (std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7F; }))
                origin.tokenId = std::move(text);
            else
                origin.error = "token id extension holds non-printable characters";
        } else {
            origin.error = "token id extension is not a short PrintableString";
        }
        ASN1_STRING_free(inner);
    }
    ERR_clear_error();
    return origin;
}

std::optional<CardType> cardTypeFromCode(long code) {
    switch (code) {
    case 0: return CardType::Cps;
    case 1: return CardType::Cpf;
    case 2: return CardType::Cpe;
    case 3: return CardType::Cpa;
    default: return std::nullopt;
    }
}

std::string describeProductCategory(int category) {
    const std::uint8_t byte = static_cast<std::uint8_t>(category);
    const std::string hex = toHex(std::span<const std::uint8_t>(&byte, 1));
    switch (category) {
    case 0x00: return hex + " (CPx)";
    case 0x02: return hex + " (module de sécurité)";
    case 0x03: return hex + " (certificat logiciel)";
    case 0x80: return hex + " (CPx de TEST)";
    case 0x82: return hex + " (MS de TEST)";
    case 0x83: return hex + " (certificat logiciel de TEST)";
    default: return hex + " (inconnu)";
    }
}

CardProfile CardProfile::production() {
    // The same pins as the policy's defaults (core/policy/Policy.h), for callers without a policy.
    using Trust = policy::Policy::Trust;
    CardProfile profile;
    profile.issuers[CardType::Cps] = {std::string(Trust::kFortPersonnesSki)};
    profile.issuers[CardType::Cpf] = {};
    profile.issuers[CardType::Cpe] = {std::string(Trust::kStandardPersonnesSki)};
    profile.issuers[CardType::Cpa] = {};
    profile.roots = {std::string(Trust::kFortRootSki), std::string(Trust::kStandardRootSki)};
    return profile;
}

Result<void, Refusal> checkStructure(X509* leaf) {
    if (X509_get_version(leaf) != X509_VERSION_3)
        return refuse(RefusalReason::MalformedCertificate, "certificate version " +
                                                               std::to_string(X509_get_version(leaf) + 1) +
                                                               ", a card certificate is v3");
    const ASN1_INTEGER* serial = X509_get0_serialNumber(leaf);
    if (serial == nullptr || ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER || ASN1_STRING_length(serial) > 20 ||
        ASN1_STRING_length(serial) == 0 ||
        std::all_of(ASN1_STRING_get0_data(serial), ASN1_STRING_get0_data(serial) + ASN1_STRING_length(serial),
                    [](unsigned char b) { return b == 0; }))
        return refuse(RefusalReason::MalformedCertificate,
                      "certificate serial number is not a positive integer of at most 20 octets (RFC 5280 4.1.2.2)");
    if (ASN1_TIME_compare(X509_get0_notBefore(leaf), X509_get0_notAfter(leaf)) >= 0)
        return refuse(RefusalReason::MalformedCertificate, "certificate notBefore is not before its notAfter");
    const X509_ALGOR* outer = nullptr;
    X509_get0_signature(nullptr, &outer, leaf);
    if (outer == nullptr || X509_ALGOR_cmp(outer, X509_get0_tbs_sigalg(leaf)) != 0)
        return refuse(RefusalReason::MalformedCertificate,
                      "signature algorithm differs inside and outside the signed part (RFC 5280 4.1.1.2)");
    std::set<std::string> seen;
    for (int i = 0; i < X509_get_ext_count(leaf); ++i) {
        X509_EXTENSION* ext = X509_get_ext(leaf, i);
        const std::string oid = dottedOf(X509_EXTENSION_get_object(ext));
        if (!seen.insert(oid).second)
            return refuse(RefusalReason::MalformedCertificate, "extension " + oid + " present twice (RFC 5280 4.2)");
        if (X509_EXTENSION_get_critical(ext) != 0 && !knownExtension(ext))
            return refuse(RefusalReason::MalformedCertificate, "unknown critical extension " + oid);
    }
    // RFC 5280 4.2.1.9: pathLenConstraint only with cA TRUE.
    const int at = X509_get_ext_by_NID(leaf, NID_basic_constraints, -1);
    if (at >= 0) {
        auto* constraints = static_cast<BASIC_CONSTRAINTS*>(X509V3_EXT_d2i(X509_get_ext(leaf, at)));
        const bool pathLenWithoutCa = constraints != nullptr && constraints->pathlen != nullptr && constraints->ca == 0;
        BASIC_CONSTRAINTS_free(constraints);
        ERR_clear_error();
        if (pathLenWithoutCa)
            return refuse(RefusalReason::MalformedCertificate,
                          "basicConstraints extension has a pathLenConstraint without CA:TRUE (RFC 5280 4.2.1.9)");
    }
    // Caches and validates the standard extensions: an undecodable one sets EXFLAG_INVALID.
    const std::uint32_t flags = X509_get_extension_flags(leaf);
    if ((flags & EXFLAG_INVALID) != 0)
        return refuse(RefusalReason::MalformedCertificate, "an extension cannot be decoded or is inconsistent");
    if (X509_get0_subject_key_id(leaf) == nullptr)
        return refuse(RefusalReason::MalformedCertificate,
                      "no subjectKeyIdentifier (every IGC-Santé certificate has one)");
    const ASN1_OCTET_STRING* akid = X509_get0_authority_key_id(leaf);
    if (akid == nullptr || ASN1_STRING_length(akid) == 0)
        return refuse(RefusalReason::MalformedCertificate,
                      "no authorityKeyIdentifier key id (RFC 5280 4.2.1.1: the issuer is pinned by it)");
    if (X509_NAME_entry_count(X509_get_subject_name(leaf)) == 0)
        return refuse(RefusalReason::BadSubject, "empty subject");
    return {};
}

Result<void, Refusal> checkEndEntity(X509* leaf) {
    const std::uint32_t flags = X509_get_extension_flags(leaf);
    if ((flags & EXFLAG_CA) != 0)
        return refuse(RefusalReason::NotEndEntity, "basicConstraints CA:TRUE: a CA certificate, not a card's");
    if ((flags & EXFLAG_KUSAGE) != 0 && (X509_get_key_usage(leaf) & (KU_KEY_CERT_SIGN | KU_CRL_SIGN)) != 0)
        return refuse(RefusalReason::NotEndEntity, "keyUsage has keyCertSign or cRLSign: a CA key, not a card's");
    return {};
}

Result<void, Refusal> checkKeyUsage(X509* leaf) {
    const std::uint32_t flags = X509_get_extension_flags(leaf);
    if ((flags & EXFLAG_KUSAGE) == 0)
        return refuse(RefusalReason::BadKeyUsage, "certificate has no keyUsage extension");
    const int at = X509_get_ext_by_NID(leaf, NID_key_usage, -1);
    if (at < 0 || X509_EXTENSION_get_critical(X509_get_ext(leaf, at)) == 0)
        return refuse(RefusalReason::BadKeyUsage, "keyUsage is not critical");
    const std::uint32_t usage = X509_get_key_usage(leaf);
    if ((usage & KU_DIGITAL_SIGNATURE) == 0)
        return refuse(RefusalReason::BadKeyUsage, "certificate keyUsage lacks digitalSignature");
    if ((usage & KU_NON_REPUDIATION) != 0)
        return refuse(RefusalReason::BadKeyUsage,
                      "keyUsage has nonRepudiation: the card's signature certificate, never a login certificate");
    return {};
}

Result<void, Refusal> checkExtendedKeyUsage(X509* leaf) {
    int critical = 0;
    auto* eku = static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(leaf, NID_ext_key_usage, &critical, nullptr));
    ERR_clear_error();
    if (eku == nullptr)
        return refuse(RefusalReason::BadExtendedKeyUsage,
                      critical == -2 ? "extendedKeyUsage present twice" : "certificate has no extendedKeyUsage");
    bool clientAuth = false;
    std::string forbidden;
    std::string all;
    for (int i = 0; i < sk_ASN1_OBJECT_num(eku); ++i) {
        const ASN1_OBJECT* purpose = sk_ASN1_OBJECT_value(eku, i);
        const int nid = OBJ_obj2nid(purpose);
        all += (all.empty() ? "" : ",") + dottedOf(purpose);
        if (nid == NID_client_auth)
            clientAuth = true;
        else if (nid == NID_anyExtendedKeyUsage || nid == NID_email_protect || nid == NID_server_auth ||
                 nid == NID_code_sign || nid == NID_time_stamp || nid == NID_OCSP_sign)
            forbidden = dottedOf(purpose);
    }
    sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
    if (!forbidden.empty())
        return refuse(RefusalReason::BadExtendedKeyUsage,
                      "extendedKeyUsage [" + all + "] has " + forbidden + ", not a card login certificate's");
    if (!clientAuth)
        return refuse(RefusalReason::BadExtendedKeyUsage, "extendedKeyUsage [" + all + "] lacks clientAuth");
    return {};
}

Result<void, Refusal> checkCryptoFloor(STACK_OF(X509) * chain, const CardProfile& profile) {
    const int length = sk_X509_num(chain);
    for (int i = 0; i < length; ++i) {
        X509* cert = sk_X509_value(chain, i);
        EVP_PKEY* key = X509_get0_pubkey(cert);
        const int bits = rsaBits(key);
        if (bits < profile.minRsaBits)
            return refuse(RefusalReason::WeakCrypto,
                          (bits == 0 ? std::string("not an RSA key") : "RSA-" + std::to_string(bits) + " key") +
                              " (at least RSA-" + std::to_string(profile.minRsaBits) + ") on " + subjectOf(cert));
        const bool root = i + 1 == length && X509_self_signed(cert, 0) == 1;
        ERR_clear_error();
        if (root)
            continue; // a root's self-signature proves nothing: it is trusted by its pin
        int mdnid = 0;
        int secbits = 0;
        if (X509_get_signature_info(cert, &mdnid, nullptr, &secbits, nullptr) != 1 ||
            secbits < profile.minSignatureSecurityBits) {
            ERR_clear_error();
            return refuse(RefusalReason::WeakCrypto, std::string("signature hash ") +
                                                         (mdnid != 0 ? OBJ_nid2sn(mdnid) : "unknown") +
                                                         " (at least SHA-256) on " + subjectOf(cert));
        }
    }
    return {};
}

Result<void, Refusal> checkIssuerPinned(STACK_OF(X509) * chain, const CardProfile& profile, ProfileFacts& facts) {
    const int length = sk_X509_num(chain);
    if (length < 3)
        return refuse(RefusalReason::IssuerNotAllowed,
                      "card certificate issued directly by a root: cards come from an IGC-Santé PERSONNES CA");
    X509* leaf = sk_X509_value(chain, 0);
    X509* issuer = sk_X509_value(chain, 1);
    X509* root = sk_X509_value(chain, length - 1);
    facts.issuerKeyId = hexOf(X509_get0_subject_key_id(issuer));
    bool pinned = false;
    for (const auto& [type, keys] : profile.issuers)
        pinned = pinned || contains(keys, facts.issuerKeyId);
    if (!pinned)
        return refuse(RefusalReason::IssuerNotAllowed, "issuing CA " + subjectOf(issuer) + " (key id " +
                                                           facts.issuerKeyId +
                                                           ") is not a card-issuing CA of the policy");
    if (hexOf(X509_get0_authority_key_id(leaf)) != facts.issuerKeyId)
        return refuse(RefusalReason::IssuerNotAllowed, "the card certificate's authority key id is not its issuer's");
    const std::string rootKeyId = hexOf(X509_get0_subject_key_id(root));
    if (!contains(profile.roots, rootKeyId))
        return refuse(RefusalReason::IssuerNotAllowed,
                      "root " + subjectOf(root) + " (key id " + rootKeyId + ") is not a pinned root of the policy");
    return {};
}

Result<void, Refusal> checkProductCategory(const CardProfile& profile, ProfileFacts& facts) {
    if (!facts.origin.error.empty())
        return refuse(RefusalReason::NotCardCertificate, facts.origin.error);
    if (!facts.origin.productCategory)
        return refuse(RefusalReason::NotCardCertificate, "no product category extension (" +
                                                             std::string(kOidProductCategory) +
                                                             "): not a card certificate");
    const int category = *facts.origin.productCategory;
    if (category == kCategoryCard || (profile.testPki && category == kCategoryTestCard))
        return {};
    return refuse(
        RefusalReason::NotCardCertificate,
        "product category " + describeProductCategory(category) +
            (category == kCategoryTestCard ? ": a test card, and the policy declares no test PKI" : ": not a card"));
}

Result<void, Refusal> checkCardType(ProfileFacts& facts) {
    if (!facts.origin.cardTypeCode)
        return refuse(RefusalReason::UnknownCardType, "no card type extension (" + std::string(kOidCardType) + ")");
    facts.cardType = cardTypeFromCode(*facts.origin.cardTypeCode);
    if (!facts.cardType)
        return refuse(RefusalReason::UnknownCardType,
                      "card type code " + std::to_string(*facts.origin.cardTypeCode) + " is not CPS, CPF, CPE or CPA");
    return {};
}

Result<void, Refusal> checkTokenId(std::string_view cardSerial, ProfileFacts& facts) {
    if (!facts.origin.tokenId)
        return refuse(RefusalReason::CardSerialMismatch, "no token id extension (" + std::string(kOidTokenId) + ")");
    const std::string& token = *facts.origin.tokenId;
    const std::string prefix = std::string(kAnsTokenIssuer) + "/";
    if (token.size() != prefix.size() + 10 || token.compare(0, prefix.size(), prefix) != 0 ||
        !isAsciiDigits(std::string_view(token).substr(prefix.size())))
        return refuse(RefusalReason::CardSerialMismatch, "token id '" + token + "' is not 8025000001/<10 digits>");
    facts.tokenSerial = token.substr(prefix.size());
    if (cardSerial.empty())
        return refuse(RefusalReason::CardSerialMismatch,
                      "the serial of the card in the reader (EF.SN.ICC) is unknown: token id " + token + " unchecked");
    // EF.SN.ICC may drop leading zeros; the token id always has ten digits.
    std::string serial(cardSerial);
    if (isAsciiDigits(serial) && serial.size() < 10)
        serial.insert(0, 10 - serial.size(), '0');
    if (serial != facts.tokenSerial)
        return refuse(RefusalReason::CardSerialMismatch, "certificate is for card " + facts.tokenSerial +
                                                             ", the card in the reader is " + std::string(cardSerial));
    return {};
}

Result<void, Refusal> checkIssuerMatchesCardType(const CardProfile& profile, const ProfileFacts& facts) {
    if (!facts.cardType)
        return refuse(RefusalReason::UnknownCardType, "card type unknown");
    if (contains(issuersFor(profile, *facts.cardType), facts.issuerKeyId))
        return {};
    return refuse(RefusalReason::IssuerCardTypeMismatch,
                  "a " + std::string(toString(*facts.cardType)) + " card issued by CA key id " + facts.issuerKeyId +
                      ", which the policy does not list for " + std::string(toString(*facts.cardType)) +
                      " (trust.issuers_" + std::string(toString(*facts.cardType)) + ")");
}

Result<void, Refusal> checkCertificatePolicies(X509* leaf, const CardProfile& profile, ProfileFacts& facts) {
    int critical = 0;
    auto* policies =
        static_cast<CERTIFICATEPOLICIES*>(X509_get_ext_d2i(leaf, NID_certificate_policies, &critical, nullptr));
    ERR_clear_error();
    if (policies == nullptr)
        return refuse(RefusalReason::BadCertificatePolicy,
                      critical == -1 ? "no certificatePolicies extension" : "certificatePolicies unreadable or twice");
    for (int i = 0; i < sk_POLICYINFO_num(policies) && i < 16; ++i)
        facts.policyOids.push_back(dottedOf(sk_POLICYINFO_value(policies, i)->policyid));
    CERTIFICATEPOLICIES_free(policies);
    std::string all;
    for (const auto& oid : facts.policyOids)
        all += (all.empty() ? "" : ",") + oid;
    if (facts.policyOids.empty())
        return refuse(RefusalReason::BadCertificatePolicy, "certificatePolicies is empty");
    for (const auto& oid : facts.policyOids) {
        if (oid == "2.5.29.32.0")
            return refuse(RefusalReason::BadCertificatePolicy, "certificatePolicies [" + all + "] has anyPolicy");
        // The GIP-CPS PKIs (IGC-CPS2bis/2ter) ended in January 2021.
        if (oid.starts_with("1.2.250.1.71."))
            return refuse(RefusalReason::BadCertificatePolicy,
                          "certificatePolicies [" + all + "] has the legacy GIP-CPS policy " + oid);
    }
    if (profile.requiredPolicyOids.empty())
        return {};
    for (const auto& oid : facts.policyOids)
        if (contains(profile.requiredPolicyOids, oid))
            return {};
    return refuse(RefusalReason::BadCertificatePolicy,
                  "certificatePolicies [" + all + "] has none of the required policies (cards.required_policy_oids)");
}

Result<void, Refusal> checkSubject(X509* leaf, ProfileFacts& facts) {
    const X509_NAME* name = X509_get_subject_name(leaf);
    const int country = X509_NAME_get_index_by_NID(name, NID_countryName, -1);
    if (country < 0 || X509_NAME_get_index_by_NID(name, NID_countryName, country) >= 0)
        return refuse(RefusalReason::BadSubject, "subject has no single C (country)");
    const ASN1_STRING* c = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, country));
    if (ASN1_STRING_length(c) != 2 ||
        std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(c)), 2) != "FR")
        return refuse(RefusalReason::BadSubject, "subject country is not FR");
    HolderParse holder = readHolderSubject(leaf);
    if (!holder.ok())
        return refuse(RefusalReason::BadSubject, "certificate subject: " + holder.error().message);
    // The UPN, when present, is <CN>@carte-cps.fr: a different CN there is another holder's name.
    auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(leaf, NID_subject_alt_name, nullptr, nullptr));
    ERR_clear_error();
    std::optional<Refusal> upnProblem;
    for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names) && !upnProblem; ++i) {
        const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
        if (gn->type != GEN_OTHERNAME || OBJ_obj2nid(gn->d.otherName->type_id) != NID_ms_upn)
            continue;
        const ASN1_TYPE* value = gn->d.otherName->value;
        if (value == nullptr || value->type != V_ASN1_UTF8STRING) {
            upnProblem = refuse(RefusalReason::BadSubject, "UPN is not a UTF8String");
            continue;
        }
        const std::string upn(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value->value.utf8string)),
                              static_cast<std::size_t>(ASN1_STRING_length(value->value.utf8string)));
        if (upn != holder->idNat + "@carte-cps.fr")
            upnProblem = refuse(RefusalReason::BadSubject,
                                "UPN '" + upn + "' is not the subject's idNat " + holder->idNat + "@carte-cps.fr");
    }
    GENERAL_NAMES_free(names);
    if (upnProblem)
        return *upnProblem;
    facts.holder = std::move(*holder);
    return {};
}

Result<void, Refusal> checkCardTypeCrossCheck(const CardProfile& profile, ProfileFacts& facts) {
    if (!facts.cardType || !facts.holder)
        return refuse(RefusalReason::UnknownCardType, "card type unknown");
    HolderIdentity& holder = *facts.holder;
    holder.cardType = *facts.cardType;
    holder.cardTypeSource = CardTypeSource::CardData;
    holder.policyOids = facts.policyOids;
    for (const auto& oid : facts.policyOids) {
        const auto it = profile.typeOids.find(oid);
        if (it != profile.typeOids.end() && it->second != holder.cardType)
            return refuse(RefusalReason::UnknownCardType,
                          "card type extension says " + std::string(toString(holder.cardType)) + " but policy " + oid +
                              " is mapped to " + std::string(toString(it->second)) + " (cards.type_oids)");
    }
    if (profile.subjectCrossCheck) {
        const bool staffType = holder.cardType == CardType::Cpe || holder.cardType == CardType::Cpa;
        if (staffType != holder.staffCard)
            return refuse(RefusalReason::UnknownCardType,
                          "card type extension says " + std::string(toString(holder.cardType)) +
                              " but the subject has the " +
                              (holder.staffCard ? "staff (CPE/CPA)" : "professional (CPS/CPF)") + " shape");
    }
    return {};
}

} // namespace cpslock::card
