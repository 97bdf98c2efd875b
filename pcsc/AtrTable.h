// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/CardKind.h"

#include <cstdint>
#include <span>
#include <string_view>

namespace cpslock::pcsc {

/// What the ATR alone says. CPS kinds are only *candidates*: the issuer in EF.SN.ICC decides.
struct AtrMatch {
    CardKind kind = CardKind::Other;
    std::string_view label; ///< the table row that matched ("CPS3 contact (IAS-ECC)"), empty if none
};

/// Classifies an ATR against the table of docs/reference/cps-cards.md. Never throws; any length,
/// including empty or garbage, gives a result (Other when nothing matches).
AtrMatch classifyAtr(std::span<const std::uint8_t> atr);

} // namespace cpslock::pcsc
