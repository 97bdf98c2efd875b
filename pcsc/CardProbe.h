// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/CardKind.h"
#include "core/Hex.h"

#include <PCSC/winscard.h>

#include <span>
#include <string>

namespace cpslock::pcsc {

struct ProbeResult {
    CardKind kind = CardKind::Other;
    std::string serial; ///< CPS cards only
    std::string detail; ///< why a CPS candidate was not confirmed, for logs
    int apdus = 0;      ///< APDUs sent (0 for every non-candidate: they are never talked to)
};

/// Decides what the card in @p reader is. Non-CPS ATRs are classified from the ATR alone and the card
/// is not touched. CPS candidates get one short shared-mode transaction reading EF.SN.ICC, which must
/// carry the ANS issuer: wrong issuer gives Other, any failure or malformed answer gives Unreadable.
/// The PIN is never involved. Called on the monitor thread with the monitor's context.
ProbeResult probeCard(SCARDCONTEXT context, const std::string& reader, std::span<const std::uint8_t> atr);

} // namespace cpslock::pcsc
