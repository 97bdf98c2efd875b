// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include <PCSC/pcsclite.h>

namespace cpslock::pcsc {

struct CardTransition {
    bool removed = false;  ///< the card we knew is gone (report card-removed first)
    bool inserted = false; ///< a card is there that we have not reported yet
};

/// Decides what one reader's new SCardGetStatusChange state means, given what the monitor last saw.
/// pcscd counts card insertions and removals per reader in the high 16 bits of dwEventState, so a
/// card pulled and another pushed in between two wake-ups (state "present" both times) still shows
/// as a removal followed by an insertion. Pure: unit-tested with hand-made states.
///
/// @param known       @p previous came from pcscd (false right after the reader appeared)
/// @param wasPresent  the monitor has reported a card in this reader and no removal since
/// @param previous    the dwEventState seen last time (fed back as dwCurrentState)
/// @param current     the dwEventState just returned
CardTransition cardTransition(bool known, bool wasPresent, DWORD previous, DWORD current);

/// A card is usable in the reader: present, and the reader is neither unknown nor ignored.
bool cardPresent(DWORD state);

} // namespace cpslock::pcsc
