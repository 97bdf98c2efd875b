// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "agent/tray/LostCardFlow.h"

#include <memory>
#include <optional>
#include <string>

namespace cpslock::agent {

class AgentCore;
class AgentSetup;
class TrayController;

/// The tray wired to a running agent: translator, AgentCore as the TrayHost, card inspector with the
/// policy, status and idle handlers. Needs a QApplication; create after AgentSetup::createCore(),
/// before AgentCore::start() (the first status then reaches the tray).
class TrayRuntime {
public:
    /// `reporter` sends lost-card reports to cpslockd; `destination` names it in the diagnostics;
    /// the card details come from cpslockd at `daemonSocket` too.
    TrayRuntime(AgentSetup& setup, AgentCore& core, LostCardReporter reporter, std::string destination,
                std::string daemonSocket);
    ~TrayRuntime();
    TrayRuntime(const TrayRuntime&) = delete;
    TrayRuntime& operator=(const TrayRuntime&) = delete;

    TrayController& controller();

private:
    struct State;
    std::unique_ptr<State> m_state;
};

/// The local account name (getpwuid), for the loss report.
std::string currentUserName();

} // namespace cpslock::agent
