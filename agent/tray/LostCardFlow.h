#pragma once

#include "agent/tray/TrayHost.h"
#include "core/GuardActions.h"
#include "platform/linux/LostCardReport.h"

#include <chrono>
#include <string>

namespace cpslock::agent {

/// The card being reported and what the tray knows about it.
struct LostCardTarget {
    BoundCard card;         ///< serial required to block; certSha256 when known (PAM or inspect())
    std::string holderName; ///< may be empty
};

struct LostCardOutcome {
    LostCardTarget target;
    bool lockRequested = false;
    platform::LostCardReportResult report; ///< ok: the card can no longer unlock this PC
};

/// The loss report, in the order the issue fixes: lock the session at once, drop the deny-list report
/// into `dropDir`, write an audit record. The lock never waits for the report, and a report that
/// cannot be written still locks and is audited (severity error) so the user is told to call.
LostCardOutcome reportLostCard(TrayHost& host, const LostCardTarget& target, const std::string& dropDir,
                               const std::string& user, std::chrono::system_clock::time_point now);

} // namespace cpslock::agent
