// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/GuardActions.h"
#include "core/ReaderEvent.h"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace cpslock {

/// What the reader monitor reported, as SessionGuard keeps it: the readers pcscd lists, the card in
/// each (a PC/SC reader holds one), and the last contact CPS seen in each reader. No decision here.
class ReaderTable {
public:
    /// A card came in (its reader counts as listed: the card proves it).
    void cardInserted(const ReaderEvent& event);
    void cardRemoved(const std::string& reader) { m_cards.erase(reader); }
    void readerAdded(const std::string& reader) { m_readers.insert(reader); }
    /// The reader is gone, and what was known of it.
    void readerRemoved(const std::string& reader);
    /// pcscd went away: nothing is known to be listed or present any more. The last serials stay: a
    /// card seen before the loss still tells a pulled card from one never reported.
    void serviceLost();

    /// The card in `reader`, or null.
    const PresentCard* card(const std::string& reader) const;
    /// The cards present, by reader.
    const std::map<std::string, PresentCard>& cards() const { return m_cards; }
    /// The cards present, in reader order.
    std::vector<PresentCard> presentCards() const;
    bool listed(const std::string& reader) const { return m_readers.count(reader) != 0; }
    /// The monitor last reported contact CPS `serial` in `reader` (it may have left since).
    bool lastSeen(const std::string& reader, const std::string& serial) const;

    /// PKCS#11 slot descriptions are blank-padded: a reader name handed over from there may carry spaces.
    static std::string trimmedName(std::string name);

private:
    std::map<std::string, PresentCard> m_cards;      ///< by reader
    std::set<std::string> m_readers;                 ///< readers pcscd lists (since the last service loss)
    std::map<std::string, std::string> m_lastSerial; ///< by reader: the last contact CPS reported there
};

} // namespace cpslock
