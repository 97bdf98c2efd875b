// SPDX-License-Identifier: EUPL-1.2
#include "pcsc/CardTransition.h"

namespace cpslock::pcsc {

bool cardPresent(DWORD state) {
    return (state & SCARD_STATE_PRESENT) && !(state & (SCARD_STATE_UNKNOWN | SCARD_STATE_IGNORE));
}

CardTransition cardTransition(bool known, bool wasPresent, DWORD previous, DWORD current) {
    const auto counter = [](DWORD state) { return (state >> 16) & 0xFFFF; };
    const bool presentNow = cardPresent(current);
    const bool counterMoved = known && counter(previous) != counter(current);
    CardTransition t;
    t.removed = wasPresent && (!presentNow || counterMoved);
    t.inserted = presentNow && (!wasPresent || t.removed);
    return t;
}

} // namespace cpslock::pcsc
