// SPDX-License-Identifier: EUPL-1.2
#include "pcsc/ReaderStatus.h"

#include "pcsc/CardTransition.h"

#include <PCSC/winscard.h>

#include <algorithm>

namespace cpslock::pcsc {

CardStillThere cardStillThere(const std::string& reader, const Bytes& atr, std::uint16_t eventCount) {
    SCARDCONTEXT context = 0;
    if (SCardEstablishContext(SCARD_SCOPE_SYSTEM, nullptr, nullptr, &context) != SCARD_S_SUCCESS)
        return CardStillThere::ServiceDown;
    SCARD_READERSTATE state{};
    state.szReader = reader.c_str();
    state.dwCurrentState = SCARD_STATE_UNAWARE; // answer at once with the current state
    const LONG rv = SCardGetStatusChange(context, 0, &state, 1);
    SCardReleaseContext(context);
    if (rv == SCARD_E_UNKNOWN_READER || rv == SCARD_E_TIMEOUT)
        return CardStillThere::Changed; // the reader itself left
    if (rv != SCARD_S_SUCCESS)
        return CardStillThere::ServiceDown;
    const auto count = static_cast<std::uint16_t>((state.dwEventState >> 16) & 0xFFFF);
    const DWORD atrLength = std::min<DWORD>(state.cbAtr, MAX_ATR_SIZE);
    const bool sameAtr = atrLength == atr.size() && std::equal(atr.begin(), atr.end(), state.rgbAtr);
    return cardPresent(state.dwEventState) && count == eventCount && sameAtr ? CardStillThere::Same
                                                                             : CardStillThere::Changed;
}

} // namespace cpslock::pcsc
