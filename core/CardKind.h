// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include <optional>
#include <string_view>

namespace cpslock {

/// What a card in a reader is, as far as can be told without a PIN.
enum class CardKind {
    Cps3,            ///< CPS3, contact interface (IAS-ECC), issuer checked in EF.SN.ICC
    Cps3Contactless, ///< CPS3 over its contactless interface: no PIN, never unlocks
    Cps4,            ///< CPS4 (NXP ChipDoc), issuer checked in EF.SN.ICC
    Vitale,          ///< patient's Carte Vitale 1 or 2: never a CPS
    Other,           ///< anything else (bank card, unknown ATR, wrong issuer)
    Unreadable,      ///< ATR says CPS but the card's data could not be read or made no sense
};

/// Stable name used in JSON output and logs ("cps3", "cps3-contactless", ...).
std::string_view toString(CardKind kind);
std::optional<CardKind> cardKindFromString(std::string_view name);

/// True for the kinds that passed both the ATR and the issuer check.
constexpr bool isCps(CardKind kind) {
    return kind == CardKind::Cps3 || kind == CardKind::Cps3Contactless || kind == CardKind::Cps4;
}

/// A CPS read over its contact interface: the only kind that can be verified with a PIN, so the only
/// kind that opens, binds or keeps a session (a contactless CPS3 has no PIN).
constexpr bool isContactCps(CardKind kind) {
    return kind == CardKind::Cps3 || kind == CardKind::Cps4;
}

} // namespace cpslock
