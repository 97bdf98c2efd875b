// SPDX-License-Identifier: EUPL-1.2
#include "card/HolderIdentity.h"

#include "card/TrustStore.h"

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>

namespace cpslock::card {
namespace {

// Limits on what a certificate (hence anyone who can get one issued or forge a card) controls.
constexpr std::size_t kMaxAttributes = 32;
constexpr std::size_t kMaxValueBytes = 256;
constexpr std::size_t kMaxPolicies = 16;

// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF, no C0/C1 controls.
std::optional<std::string> utf8Problem(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7F) {
                return "control character";
            }
            ++i;
            continue;
        }
        if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1Fu;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0Fu;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07u;
        } else {
            return "invalid UTF-8";
        }
        if (i + len > s.size()) {
            return "truncated UTF-8";
        }
        for (std::size_t k = 1; k < len; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) {
                return "invalid UTF-8";
            }
            cp = (cp << 6) | (cc & 0x3Fu);
        }
        constexpr std::array<std::uint32_t, 5> kMinForLen{0, 0, 0x80, 0x800, 0x10000};
        if (cp < kMinForLen[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return "invalid UTF-8";
        }
        if (cp >= 0x80 && cp <= 0x9F) {
            return "control character";
        }
        i += len;
    }
    return std::nullopt;
}

bool isDigit(char c) {
    return c >= '0' && c <= '9';
}
bool isUpperAlnum(char c) {
    return isDigit(c) || (c >= 'A' && c <= 'Z');
}
bool isIdChar(char c) {
    return isDigit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

// Classifies and validates a person's idNat (no '/').
std::optional<std::string> checkIdNat(std::string_view id, IdNatKind& kind) {
    if (id.size() < 2 || id.size() > 32 || !isDigit(id.front())) {
        return "idNat must be a type digit followed by an identifier";
    }
    if (!std::all_of(id.begin(), id.end(), isIdChar)) {
        return "idNat contains characters other than letters and digits";
    }
    switch (id.front()) {
    case '8':
        if (id.size() != 12 || !std::all_of(id.begin(), id.end(), isDigit)) {
            return "RPPS idNat must be 8 followed by 11 digits";
        }
        kind = IdNatKind::Rpps;
        break;
    case '0':
        // ADELI numbers are 9 characters; Corsican departments put letters in them (2A, 2B).
        if (id.size() != 10 || !std::all_of(id.begin() + 1, id.end(), isUpperAlnum)) {
            return "ADELI idNat must be 0 followed by 9 characters";
        }
        kind = IdNatKind::Adeli;
        break;
    case '3':
        kind = IdNatKind::Structure;
        break;
    default:
        kind = IdNatKind::Other;
        break;
    }
    return std::nullopt;
}

struct Fields {
    std::map<std::string, const SubjectAttribute*> single;
    std::string error;
};

// Collects the attributes we interpret; each may appear at most once.
Fields collect(const std::vector<SubjectAttribute>& attributes) {
    static constexpr std::array<std::string_view, 7> kKnown{"C", "O", "OU", "CN", "SN", "GN", "title"};
    Fields fields;
    if (attributes.size() > kMaxAttributes) {
        fields.error = "subject has too many attributes (" + std::to_string(attributes.size()) + ")";
        return fields;
    }
    for (const auto& attribute : attributes) {
        if (attribute.value.size() > kMaxValueBytes) {
            fields.error = "subject " + attribute.type + " is too long";
            return fields;
        }
        if (auto problem = utf8Problem(attribute.value)) {
            fields.error = "subject " + attribute.type + ": " + *problem;
            return fields;
        }
        if (std::find(kKnown.begin(), kKnown.end(), attribute.type) == kKnown.end()) {
            continue; // unknown attribute types carry nothing we rely on
        }
        if (!fields.single.emplace(attribute.type, &attribute).second) {
            fields.error = "subject has more than one " + attribute.type;
            return fields;
        }
    }
    return fields;
}

std::string valueOf(const Fields& fields, const std::string& type) {
    const auto it = fields.single.find(type);
    return it == fields.single.end() ? std::string() : it->second->value;
}

std::vector<std::string> readPolicyOids(const X509* cert, std::string& error) {
    std::vector<std::string> oids;
    int critical = 0;
    auto* policies =
        static_cast<CERTIFICATEPOLICIES*>(X509_get_ext_d2i(cert, NID_certificate_policies, &critical, nullptr));
    if (policies == nullptr) {
        // -1: no extension; -2: present more than once (ambiguous, refused); else undecodable.
        if (critical != -1) {
            error = critical == -2 ? "certificatePolicies extension present twice" : "certificatePolicies unreadable";
        }
        ERR_clear_error();
        return oids;
    }
    const int count = sk_POLICYINFO_num(policies);
    for (int i = 0; i < count && oids.size() < kMaxPolicies; ++i) {
        const POLICYINFO* info = sk_POLICYINFO_value(policies, i);
        char buffer[128];
        const int len = OBJ_obj2txt(buffer, sizeof buffer, info->policyid, 1);
        if (len > 0 && static_cast<std::size_t>(len) < sizeof buffer) {
            oids.emplace_back(buffer, static_cast<std::size_t>(len));
        }
    }
    CERTIFICATEPOLICIES_free(policies);
    return oids;
}

std::optional<std::vector<SubjectAttribute>> readSubject(const X509* cert, std::string& error) {
    const X509_NAME* name = X509_get_subject_name(cert);
    std::vector<SubjectAttribute> attributes;
    const int count = X509_NAME_entry_count(name);
    if (count < 0 || static_cast<std::size_t>(count) > kMaxAttributes) {
        error = "subject has too many attributes";
        return std::nullopt;
    }
    for (int i = 0; i < count; ++i) {
        const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
        const ASN1_OBJECT* object = X509_NAME_ENTRY_get_object(entry);
        SubjectAttribute attribute;
        attribute.rdn = X509_NAME_ENTRY_set(entry);
        switch (OBJ_obj2nid(object)) {
        case NID_countryName: attribute.type = "C"; break;
        case NID_organizationName: attribute.type = "O"; break;
        case NID_organizationalUnitName: attribute.type = "OU"; break;
        case NID_commonName: attribute.type = "CN"; break;
        case NID_surname: attribute.type = "SN"; break;
        case NID_givenName: attribute.type = "GN"; break;
        case NID_title: attribute.type = "title"; break;
        default: {
            char buffer[128];
            const int len = OBJ_obj2txt(buffer, sizeof buffer, object, 1);
            attribute.type = len > 0 && static_cast<std::size_t>(len) < sizeof buffer
                                 ? std::string(buffer, static_cast<std::size_t>(len))
                                 : std::string("?");
        }
        }
        // Converts PrintableString, T61, BMPString, UTF8String... to UTF-8.
        unsigned char* utf8 = nullptr;
        const int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(entry));
        if (len < 0) {
            ERR_clear_error();
            error = "subject " + attribute.type + ": undecodable string";
            return std::nullopt;
        }
        attribute.value.assign(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(len));
        OPENSSL_free(utf8);
        // An embedded NUL would let "810...\0evil" compare differently in C and C++ code.
        if (attribute.value.find('\0') != std::string::npos) {
            error = "subject " + attribute.type + ": embedded NUL";
            return std::nullopt;
        }
        attributes.push_back(std::move(attribute));
    }
    return attributes;
}

} // namespace

std::string_view toString(IdNatKind kind) {
    switch (kind) {
    case IdNatKind::Rpps: return "rpps";
    case IdNatKind::Adeli: return "adeli";
    case IdNatKind::Structure: return "structure";
    case IdNatKind::Other: return "other";
    }
    return "other";
}

std::string_view toString(CardTypeSource source) {
    switch (source) {
    case CardTypeSource::PolicyOid: return "policy-oid";
    case CardTypeSource::CardData: return "card-data";
    case CardTypeSource::SubjectShape: return "subject-shape";
    case CardTypeSource::None: return "none";
    }
    return "none";
}

HolderParse parseHolderSubject(const std::vector<SubjectAttribute>& attributes) {
    HolderParse result;
    const Fields fields = collect(attributes);
    if (!fields.error.empty()) {
        result.error = fields.error;
        return result;
    }
    const std::string cn = valueOf(fields, "CN");
    if (cn.empty()) {
        result.error = "subject has no CN (idNat)";
        return result;
    }
    HolderIdentity holder;
    holder.surname = valueOf(fields, "SN");
    holder.givenName = valueOf(fields, "GN");
    holder.profession = valueOf(fields, "title");
    const auto slash = cn.find('/');
    if (slash == std::string::npos) {
        if (auto problem = checkIdNat(cn, holder.idNatKind)) {
            result.error = "subject CN '" + cn + "': " + *problem;
            return result;
        }
        if (holder.surname.empty() || holder.givenName.empty()) {
            result.error = std::string("subject has no ") + (holder.surname.empty() ? "SN (surname)" : "GN (given name)");
            return result;
        }
        holder.idNat = cn;
    } else {
        // Staff card: CN=<structure idNat>/<internal id>, OU=<structure id>, O=<structure name>.
        holder.staffCard = true;
        holder.structureIdNat = cn.substr(0, slash);
        holder.internalId = cn.substr(slash + 1);
        if (holder.internalId.empty() || holder.internalId.find('/') != std::string::npos ||
            !std::all_of(holder.internalId.begin(), holder.internalId.end(), isIdChar)) {
            result.error = "subject CN '" + cn + "': staff internal id must be letters and digits after one '/'";
            return result;
        }
        if (auto problem = checkIdNat(holder.structureIdNat, holder.idNatKind)) {
            result.error = "subject CN '" + cn + "': structure " + *problem;
            return result;
        }
        holder.structureId = valueOf(fields, "OU");
        holder.structureName = valueOf(fields, "O");
        if (holder.structureId.empty() || holder.structureName.empty()) {
            result.error = std::string("staff card subject has no ") +
                           (holder.structureId.empty() ? "OU (structure id)" : "O (structure name)");
            return result;
        }
        holder.idNat = cn;
    }
    result.identity = std::move(holder);
    return result;
}

void decideCardType(HolderIdentity& holder, const CardTypeRules& rules, std::optional<CardType> fromCardData) {
    if (fromCardData && *fromCardData != CardType::Unknown) {
        holder.cardType = *fromCardData;
        holder.cardTypeSource = CardTypeSource::CardData;
        return;
    }
    for (const auto& oid : holder.policyOids) {
        const auto it = rules.policyOids.find(oid);
        if (it != rules.policyOids.end()) {
            holder.cardType = it->second;
            holder.cardTypeSource = CardTypeSource::PolicyOid;
            return;
        }
    }
    if (rules.inferFromSubject) {
        holder.cardType = holder.staffCard ? CardType::Cpe : CardType::Cps;
        holder.cardTypeSource = CardTypeSource::SubjectShape;
        return;
    }
    holder.cardType = CardType::Unknown;
    holder.cardTypeSource = CardTypeSource::None;
}

HolderParse readHolderIdentity(std::span<const std::uint8_t> certificateDer, const CardTypeRules& rules,
                               std::optional<CardType> fromCardData) {
    HolderParse result;
    X509Ptr cert = parseDerCertificate(certificateDer);
    if (!cert) {
        result.error = "certificate is not DER X.509";
        return result;
    }
    result = readHolderSubject(cert.get());
    if (result.identity)
        decideCardType(*result.identity, rules, fromCardData);
    return result;
}

HolderParse readHolderSubject(const X509* cert) {
    HolderParse result;
    std::string error;
    auto attributes = readSubject(cert, error);
    if (!attributes) {
        result.error = error;
        return result;
    }
    auto oids = readPolicyOids(cert, error);
    if (!error.empty()) {
        result.error = error;
        return result;
    }
    result = parseHolderSubject(*attributes);
    if (result.identity)
        result.identity->policyOids = std::move(oids);
    return result;
}

std::optional<Refusal> checkCardTypeAllowed(const HolderIdentity& holder, std::span<const CardType> allowed) {
    if (std::find(allowed.begin(), allowed.end(), holder.cardType) != allowed.end()) {
        return std::nullopt;
    }
    std::string list;
    for (CardType type : allowed) {
        list += (list.empty() ? "" : ",") + std::string(toString(type));
    }
    return Refusal{RefusalReason::CardTypeNotAllowed,
                   "card type " + std::string(toString(holder.cardType)) + " (from " +
                       std::string(toString(holder.cardTypeSource)) + ") not in allowed [" + list + "]",
                   std::nullopt};
}

} // namespace cpslock::card
