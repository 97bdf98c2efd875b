// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Hex.h"

#include <cstdint>
#include <string>

namespace cpslock::pcsc {

enum class CardStillThere {
    Same,        ///< present, same ATR, and pcscd counted no insertion or removal since
    Changed,     ///< gone, another card, or removed and put back (the count moved)
    ServiceDown, ///< pcscd cannot be asked: treated as changed by callers (fail closed)
};

/// Asks pcscd, without talking to the card, whether the card seen earlier is still the one in
/// @p reader: one SCardGetStatusChange with no wait. pcscd counts every insertion and removal of a
/// reader in the high 16 bits of dwEventState (pcsc-lite since 1.6; Windows alike), so an unchanged
/// count with the card present means the card never left — stronger than re-reading its serial,
/// which a clone with the same serial would pass, and far cheaper (no connect, no APDU).
/// @param eventCount the count seen with the card (ReaderEvent::eventCount)
CardStillThere cardStillThere(const std::string& reader, const Bytes& atr, std::uint16_t eventCount);

} // namespace cpslock::pcsc
