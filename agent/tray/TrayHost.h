// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/AuditSink.h"
#include "core/LockReason.h"

namespace cpslock::agent {

/// What the tray asks of the agent (AgentCore in the program, a recorder in tests).
class TrayHost {
public:
    virtual ~TrayHost() = default;
    virtual void requestLock(LockReason reason) = 0;
    virtual void audit(const AuditRecord& record) = 0;
};

} // namespace cpslock::agent
