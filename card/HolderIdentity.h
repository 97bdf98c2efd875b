// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/CardType.h"
#include "core/Refusal.h"
#include "core/Result.h"

#include <openssl/x509.h>

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cpslock::card {

/// What the national identifier's prefix digit says (docs/card-identity.md).
enum class IdNatKind {
    Rpps,      ///< "rpps": 8 + 11-digit RPPS number
    Adeli,     ///< "adeli": 0 + 9-character ADELI number
    Structure, ///< "structure": 3 + FINESS / structure internal id (staff cards)
    Other,     ///< "other": any other type digit
};
std::string_view toString(IdNatKind kind);

/// The card family is core's (core/CardType.h); these names keep card::CardType and card::toString
/// meaning the same thing for the card code and its callers.
using cpslock::CardType;
using cpslock::cardTypeFromString;
using cpslock::toString;

/// Where the card type came from, strongest first.
enum class CardTypeSource { PolicyOid, CardData, SubjectShape, None };
std::string_view toString(CardTypeSource source);

/// One attribute of the certificate subject, value already converted to UTF-8.
/// `type` is "C", "O", "OU", "CN", "SN", "GN", "title", or a dotted OID for anything else.
struct SubjectAttribute {
    std::string type;
    std::string value;
    int rdn = 0; ///< index of the RDN (attributes of a multi-valued RDN share it)
};

struct HolderIdentity {
    std::string idNat; ///< professional: CN; staff: the whole CN "<structure idNat>/<internal id>"
    IdNatKind idNatKind = IdNatKind::Other;
    std::string surname;        ///< SN (may be empty on staff cards)
    std::string givenName;      ///< GN (may be empty on staff cards)
    std::string profession;     ///< title, e.g. "Médecin" (may be empty)
    bool staffCard = false;     ///< subject has the staff shape (CN with '/', OU, O)
    std::string structureIdNat; ///< staff: CN part before '/'
    std::string internalId;     ///< staff: CN part after '/'
    std::string structureId;    ///< staff: OU
    std::string structureName;  ///< staff: O
    CardType cardType = CardType::Unknown;
    CardTypeSource cardTypeSource = CardTypeSource::None;
    std::vector<std::string> policyOids; ///< certificatePolicies of the certificate, dotted
};

/// The holder, or an error naming the field at fault.
using HolderParse = Result<HolderIdentity>;

/// How to tell the card type. `policyOids` maps certificate policy OIDs to types (configurable:
/// the real IGC-Santé OIDs per card type are unverified, see docs/card-identity.md).
struct CardTypeRules {
    std::map<std::string, CardType> policyOids;
    /// Without OID or card-data evidence, infer from the subject shape (professional -> CPS,
    /// staff -> CPE). Cannot tell CPF from CPS nor CPA from CPE: turn off when that matters.
    bool inferFromSubject = true;
};

/// Pure: validates the attributes and extracts the holder (card type left Unknown).
/// Errors: missing or duplicated field, malformed idNat, invalid UTF-8 or control characters.
HolderParse parseHolderSubject(const std::vector<SubjectAttribute>& attributes);

/// Pure: the type read from the card's data (the certificate's card-type extension, see
/// card/CardProfile.h) first, then the policy OID mapping, then the subject shape if the rules allow
/// it. The card verifier only accepts the card data; the others are cross-checks there.
void decideCardType(HolderIdentity& holder, const CardTypeRules& rules, std::optional<CardType> fromCardData);

/// Reads subject and certificate policies of a parsed certificate (card type left Unknown).
HolderParse readHolderSubject(const X509* certificate);

/// Reads subject and certificate policies from a DER certificate, then the two steps above.
HolderParse readHolderIdentity(std::span<const std::uint8_t> certificateDer, const CardTypeRules& rules,
                               std::optional<CardType> fromCardData = std::nullopt);

/// card-type-not-allowed unless the holder's type is in `allowed`.
Result<void, Refusal> checkCardTypeAllowed(const HolderIdentity& holder, std::span<const CardType> allowed);

} // namespace cpslock::card
