// SPDX-License-Identifier: EUPL-1.2
#include "card/HolderIdentity.h"

#include "core/Ascii.h"

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
Result<void> checkUtf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7F) {
                return fail("control character");
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
            return fail("invalid UTF-8");
        }
        if (i + len > s.size()) {
            return fail("truncated UTF-8");
        }
        for (std::size_t k = 1; k < len; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) {
                return fail("invalid UTF-8");
            }
            cp = (cp << 6) | (cc & 0x3Fu);
        }
        constexpr std::array<std::uint32_t, 5> kMinForLen{0, 0, 0x80, 0x800, 0x10000};
        if (cp < kMinForLen[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return fail("invalid UTF-8");
        }
        if (cp >= 0x80 && cp <= 0x9F) {
            return fail("control character");
        }
        i += len;
    }
    return {};
}
bool isUpperAlnum(char c) {
    return isAsciiDigit(c) || (c >= 'A' && c <= 'Z');
}
bool isIdChar(char c) {
    return isAsciiDigit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

// Classifies and validates a person's idNat (no '/').
Result<IdNatKind> idNatKindOf(std::string_view id) {
    if (id.size() < 2 || id.size() > 32 || !isAsciiDigit(id.front())) {
        return fail("idNat must be a type digit followed by an identifier");
    }
    if (!std::all_of(id.begin(), id.end(), isIdChar)) {
        return fail("idNat contains characters other than letters and digits");
    }
    switch (id.front()) {
    case '8':
        if (id.size() != 12 || !std::all_of(id.begin(), id.end(), isAsciiDigit)) {
            return fail("RPPS idNat must be 8 followed by 11 digits");
        }
        return IdNatKind::Rpps;
    case '0':
        // ADELI numbers are 9 characters; Corsican departments put letters in them (2A, 2B).
        if (id.size() != 10 || !std::all_of(id.begin() + 1, id.end(), isUpperAlnum)) {
            return fail("ADELI idNat must be 0 followed by 9 characters");
        }
        return IdNatKind::Adeli;
    case '3': return IdNatKind::Structure;
    default: return IdNatKind::Other;
    }
}

struct Fields {
    std::map<std::string, const SubjectAttribute*> single;
};

// Collects the attributes we interpret; each may appear at most once.
Result<Fields> collect(const std::vector<SubjectAttribute>& attributes) {
    static constexpr std::array<std::string_view, 7> kKnown{"C", "O", "OU", "CN", "SN", "GN", "title"};
    Fields fields;
    if (attributes.size() > kMaxAttributes) {
        return fail("subject has too many attributes (" + std::to_string(attributes.size()) + ")");
    }
    for (const auto& attribute : attributes) {
        if (attribute.value.size() > kMaxValueBytes) {
            return fail("subject " + attribute.type + " is too long");
        }
        if (auto utf8 = checkUtf8(attribute.value); !utf8) {
            return fail("subject " + attribute.type + ": " + utf8.error().message);
        }
        if (std::find(kKnown.begin(), kKnown.end(), attribute.type) == kKnown.end()) {
            continue; // unknown attribute types carry nothing we rely on
        }
        if (!fields.single.emplace(attribute.type, &attribute).second) {
            return fail("subject has more than one " + attribute.type);
        }
    }
    return fields;
}

std::string valueOf(const Fields& fields, const std::string& type) {
    const auto it = fields.single.find(type);
    return it == fields.single.end() ? std::string() : it->second->value;
}

Result<std::vector<std::string>> readPolicyOids(const X509* cert) {
    std::vector<std::string> oids;
    int critical = 0;
    auto* policies =
        static_cast<CERTIFICATEPOLICIES*>(X509_get_ext_d2i(cert, NID_certificate_policies, &critical, nullptr));
    if (policies == nullptr) {
        ERR_clear_error();
        // -1: no extension; -2: present more than once (ambiguous, refused); else undecodable.
        if (critical != -1) {
            return fail(critical == -2 ? "certificatePolicies extension present twice"
                                       : "certificatePolicies unreadable");
        }
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

Result<std::vector<SubjectAttribute>> readSubject(const X509* cert) {
    const X509_NAME* name = X509_get_subject_name(cert);
    std::vector<SubjectAttribute> attributes;
    const int count = X509_NAME_entry_count(name);
    if (count < 0 || static_cast<std::size_t>(count) > kMaxAttributes) {
        return fail("subject has too many attributes");
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
            return fail("subject " + attribute.type + ": undecodable string");
        }
        attribute.value.assign(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(len));
        OPENSSL_free(utf8);
        // An embedded NUL would let "810...\0evil" compare differently in C and C++ code.
        if (attribute.value.find('\0') != std::string::npos) {
            return fail("subject " + attribute.type + ": embedded NUL");
        }
        attributes.push_back(std::move(attribute));
    }
    return attributes;
}

// A professional's card: CN=<idNat>, SN and GN.
Result<void> fillProfessional(HolderIdentity& holder) {
    const std::string& cn = holder.idNat;
    const auto kind = idNatKindOf(cn);
    if (!kind)
        return fail("subject CN '" + cn + "': " + kind.error().message);
    holder.idNatKind = *kind;
    if (holder.surname.empty() || holder.givenName.empty())
        return fail(std::string("subject has no ") + (holder.surname.empty() ? "SN (surname)" : "GN (given name)"));
    return {};
}

// Staff card: CN=<structure idNat>/<internal id>, OU=<structure id>, O=<structure name>.
Result<void> fillStaff(HolderIdentity& holder, const Fields& fields, std::size_t slash) {
    const std::string& cn = holder.idNat;
    holder.staffCard = true;
    holder.structureIdNat = cn.substr(0, slash);
    holder.internalId = cn.substr(slash + 1);
    if (holder.internalId.empty() || holder.internalId.find('/') != std::string::npos ||
        !std::all_of(holder.internalId.begin(), holder.internalId.end(), isIdChar))
        return fail("subject CN '" + cn + "': staff internal id must be letters and digits after one '/'");
    const auto kind = idNatKindOf(holder.structureIdNat);
    if (!kind)
        return fail("subject CN '" + cn + "': structure " + kind.error().message);
    holder.idNatKind = *kind;
    holder.structureId = valueOf(fields, "OU");
    holder.structureName = valueOf(fields, "O");
    if (holder.structureId.empty() || holder.structureName.empty())
        return fail(std::string("staff card subject has no ") +
                    (holder.structureId.empty() ? "OU (structure id)" : "O (structure name)"));
    return {};
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
    const auto fields = collect(attributes);
    if (!fields)
        return fields.error();
    const std::string cn = valueOf(*fields, "CN");
    if (cn.empty())
        return fail("subject has no CN (idNat)");
    HolderIdentity holder;
    holder.surname = valueOf(*fields, "SN");
    holder.givenName = valueOf(*fields, "GN");
    holder.profession = valueOf(*fields, "title");
    holder.idNat = cn;
    const auto slash = cn.find('/');
    auto filled = slash == std::string::npos ? fillProfessional(holder) : fillStaff(holder, *fields, slash);
    if (!filled)
        return filled.error();
    return holder;
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
    X509Ptr cert = parseDerCertificate(certificateDer);
    if (!cert)
        return fail("certificate is not DER X.509");
    HolderParse result = readHolderSubject(cert.get());
    if (result)
        decideCardType(*result, rules, fromCardData);
    return result;
}

HolderParse readHolderSubject(const X509* cert) {
    auto attributes = readSubject(cert);
    if (!attributes)
        return attributes.error();
    auto oids = readPolicyOids(cert);
    if (!oids)
        return oids.error();
    HolderParse result = parseHolderSubject(*attributes);
    if (result)
        result->policyOids = std::move(*oids);
    return result;
}

Result<void, Refusal> checkCardTypeAllowed(const HolderIdentity& holder, std::span<const CardType> allowed) {
    if (std::find(allowed.begin(), allowed.end(), holder.cardType) != allowed.end()) {
        return {};
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
