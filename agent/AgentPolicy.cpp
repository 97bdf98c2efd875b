// SPDX-License-Identifier: EUPL-1.2
#include "agent/AgentPolicy.h"

namespace cpslock::agent {

GuardSettings guardSettingsFrom(const policy::Policy& p, bool exempt) {
    GuardSettings s;
    s.removalAction = p.session.removalAction;
    s.idleTimeout = p.session.idleTimeout;
    s.idleWarning = p.session.idleWarning;
    s.requireCard = p.session.requireCard;
    s.requireCardGrace = p.session.requireCardGrace;
    s.serviceLossAction = p.service.lossAction;
    s.serviceLossGrace = p.service.lossGrace;
    if (exempt) {
        s.removalAction = RemovalAction::None;
        s.idleTimeout = std::chrono::milliseconds{0};
        s.requireCard = false;
        s.serviceLossAction = ServiceLossAction::None;
    }
    return s;
}

AgentPolicy agentPolicyFrom(const policy::Policy& p, bool exempt) {
    AgentPolicy a;
    a.guard = guardSettingsFrom(p, exempt);
    a.lockCommand = p.locker.command;
    a.auditSink = std::string(toString(p.audit.sink));
    return a;
}

} // namespace cpslock::agent
