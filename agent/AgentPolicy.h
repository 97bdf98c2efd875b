// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/GuardSettings.h"
#include "core/policy/Policy.h"

#include <string>
#include <vector>

namespace cpslock::agent {

/// The SessionGuard's part of the policy. `exempt` (session.exempt_users / exempt_groups matched):
/// the guard never locks by itself — removal ignored, no idle lock, no require_card, pcscd loss
/// ignored (what exempt covers: core/policy/SessionExemption.h).
GuardSettings guardSettingsFrom(const policy::Policy& policy, bool exempt = false);

/// What the agent reads from the policy beyond the guard's settings. locker.command and audit.sink
/// take effect at the agent's next start (the lockers and the sink are chosen once).
struct AgentPolicy {
    GuardSettings guard;
    std::vector<std::string> lockCommand;
    std::string auditSink; ///< "journald", "syslog", "stderr"
};

AgentPolicy agentPolicyFrom(const policy::Policy& policy, bool exempt = false);

} // namespace cpslock::agent
