// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "agent/tray/TrayHost.h"
#include "core/GuardActions.h"
#include "core/Result.h"

#include <chrono>
#include <functional>
#include <string>

namespace cpslock::agent {

/// The card being reported and what the tray knows about it.
struct LostCardTarget {
    BoundCard card;         ///< serial required to block; certSha256 when known (PAM or inspect())
    std::string holderName; ///< may be empty
};

/// What cpslockd said of the report: who holds it (cpslockd and its socket; the card can no longer
/// unlock this PC), or why it was not taken.
using LostCardReportResult = Result<std::string>;

/// Sends the report of card `serial` to cpslockd (the real one: `report-lost` on its socket).
using LostCardReporter = std::function<LostCardReportResult(const std::string& serial)>;

struct LostCardOutcome {
    LostCardTarget target;
    bool lockRequested = false;
    LostCardReportResult report = fail("not reported");
};

/// The loss report: lock the session at once, report the card to cpslockd (which refuses it from then
/// on), write an audit record. The lock never waits for the report, and a report cpslockd did not
/// take still locks and is audited (severity error) so the user is told to call.
LostCardOutcome reportLostCard(TrayHost& host, const LostCardTarget& target, const LostCardReporter& reporter,
                               const std::string& user);

} // namespace cpslock::agent
