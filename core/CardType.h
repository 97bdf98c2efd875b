// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/EnumName.h"

#include <array>
#include <optional>
#include <string_view>

namespace cpslock {

/// Card family. Not in the ATR; see card::decideCardType() for where it comes from. The policy
/// names the first four (cards.allowed_types, accounts.shared.card_types); Unknown is what the
/// verifier decides without evidence, and no policy value names it.
enum class CardType {
    Cps,     ///< "cps": Carte de Professionnel de Santé
    Cpf,     ///< "cpf": Carte de Professionnel en Formation
    Cpe,     ///< "cpe": Carte de Personnel d'Établissement (CDE)
    Cpa,     ///< "cpa": Carte de Personnel Autorisé (CDA)
    Unknown, ///< "unknown": no evidence
};

/// Names in logs, audit records and JSON (lower case); "cde" and "cda", the older names of CPE and
/// CPA cards, are read too. The first row of a value is its name.
inline constexpr std::array kCardTypeNames{
    EnumName<CardType>{"cps", CardType::Cps},         EnumName<CardType>{"cpf", CardType::Cpf},
    EnumName<CardType>{"cpe", CardType::Cpe},         EnumName<CardType>{"cpa", CardType::Cpa},
    EnumName<CardType>{"unknown", CardType::Unknown}, EnumName<CardType>{"cde", CardType::Cpe},
    EnumName<CardType>{"cda", CardType::Cpa}};

/// How the policy file writes a card type (upper case, no Unknown).
inline constexpr std::array kPolicyCardTypeNames{
    EnumName<CardType>{"CPS", CardType::Cps}, EnumName<CardType>{"CPF", CardType::Cpf},
    EnumName<CardType>{"CPE", CardType::Cpe}, EnumName<CardType>{"CPA", CardType::Cpa}};

constexpr std::string_view toString(CardType type) {
    return nameIn(kCardTypeNames, type);
}
/// Accepts "cps", "cpf", "cpe" or "cde", "cpa" or "cda", "unknown" (lower case).
constexpr std::optional<CardType> cardTypeFromString(std::string_view name) {
    return valueIn(kCardTypeNames, name);
}
/// "CPS", "CPF", "CPE", "CPA" as in the policy file.
constexpr std::string_view policyName(CardType type) {
    return nameIn(kPolicyCardTypeNames, type);
}

} // namespace cpslock
