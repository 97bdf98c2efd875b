// SPDX-License-Identifier: EUPL-1.2
#include "core/ReaderTable.h"

#include "core/CardKind.h"

namespace cpslock {

void ReaderTable::cardInserted(const ReaderEvent& event) {
    m_readers.insert(event.reader); // the monitor names the reader first; a card proves it anyway
    m_cards[event.reader] = PresentCard{event.reader, event.kind, event.serial};
    if (isContactCps(event.kind) && !event.serial.empty())
        m_lastSerial[event.reader] = event.serial;
}

void ReaderTable::readerRemoved(const std::string& reader) {
    m_readers.erase(reader);
    m_cards.erase(reader); // normally already gone: the monitor reports the card first
    m_lastSerial.erase(reader);
}

void ReaderTable::serviceLost() {
    m_cards.clear();
    m_readers.clear();
}

const PresentCard* ReaderTable::card(const std::string& reader) const {
    const auto it = m_cards.find(reader);
    return it != m_cards.end() ? &it->second : nullptr;
}

std::vector<PresentCard> ReaderTable::presentCards() const {
    std::vector<PresentCard> cards;
    for (const auto& [reader, card] : m_cards)
        cards.push_back(card);
    return cards;
}

bool ReaderTable::lastSeen(const std::string& reader, const std::string& serial) const {
    const auto it = m_lastSerial.find(reader);
    return it != m_lastSerial.end() && it->second == serial;
}

std::string ReaderTable::trimmedName(std::string name) {
    while (!name.empty() && (name.back() == ' ' || name.back() == '\0'))
        name.pop_back();
    return name;
}

} // namespace cpslock
