// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include <QCoreApplication>

#include <memory>
#include <string>

namespace cpslock::agent {

class AgentCore;
class AgentSetup;
class CpslockdAuthority;

/// What the two executables differ in: cpslock-agent (Qt Core + DBus only, so the headless agent stays
/// small) hands `--tray` over to cpslock-agent-tray (Qt Widgets), which runs the tray itself.
class AgentFrontEnd {
public:
    virtual ~AgentFrontEnd() = default;
    /// The name --version prints.
    virtual const char* program() const = 0;
    /// The tray was asked for and a display exists: whether this process runs it. May not return
    /// (cpslock-agent execs cpslock-agent-tray).
    virtual bool takeTray(char** argv) = 0;
    /// The application object; `tray`: takeTray() said yes. `argc` must outlive it (Qt keeps a reference).
    virtual std::unique_ptr<QCoreApplication> makeApplication(int& argc, char** argv, bool tray) = 0;
    /// Builds the tray over a created, not yet started core (only called when `tray`).
    virtual void startTray(AgentSetup&, AgentCore&, CpslockdAuthority&, const std::string& /*daemonSocket*/) {}
    /// Removes the tray after the core stopped.
    virtual void stopTray() {}
};

/// The agent's main(): options, logging, setup, `--check`, or the event loop until SIGTERM/SIGINT.
/// Exit codes: 0 ok, 1 runtime failure, 2 bad arguments, 3 (--check) no usable locker.
int runAgent(int& argc, char** argv, AgentFrontEnd& frontEnd);

} // namespace cpslock::agent
