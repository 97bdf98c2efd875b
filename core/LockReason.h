// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include <optional>
#include <string_view>

namespace cpslock {

/// Why the agent locked (or logged out) the session.
enum class LockReason {
    CardRemoved,   ///< the session's card left its reader
    CardSwapped,   ///< another card appeared in the session card's reader
    ReaderRemoved, ///< the session card's reader was unplugged
    ServiceLost,   ///< pcscd gone for longer than the grace (or the session card not back after it)
    NoCard,        ///< require_card: unlocked without a contact CPS card for longer than the grace
    Idle,          ///< idle timeout
    UserRequest,   ///< the user asked (tray "lock now")
    LostCard,      ///< the user reported the card lost or stolen
    AgentStopped,  ///< the agent was stopped (SIGTERM) outside a logout: the session must not stay open unguarded
};

/// A sentence for users, French first.
struct LocalizedText {
    std::string_view fr;
    std::string_view en;
};

/// Stable names ("card-removed", "idle", ...) used in the audit log, `cpslock status` and D-Bus.
std::string_view toString(LockReason reason);
std::optional<LockReason> lockReasonFromString(std::string_view name);

/// What the tray / notification tells the user after a lock for this reason.
LocalizedText userMessage(LockReason reason);

/// The reminder shown when the session locks with the card still in the reader.
LocalizedText cardReminderMessage();

} // namespace cpslock
