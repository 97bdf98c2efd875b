#pragma once

#include "agent/AgentCore.h"
#include "agent/LockerChain.h"
#include "core/AuditSink.h"
#include "core/Clock.h"
#include "core/GuardSettings.h"
#include "core/IdleSource.h"

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cpslock::agent {

/// Builds the agent from what the session offers: policy, audit sink, lockers (logind, ScreenSaver,
/// the policy's command, in that order), the idle source (X11, Mutter, logind: the first that
/// answers). Shared by the headless agent and the tray. Needs a QCoreApplication.
class AgentSetup {
public:
    explicit AgentSetup(std::optional<std::string> policyFile);
    ~AgentSetup();
    AgentSetup(const AgentSetup&) = delete;
    AgentSetup& operator=(const AgentSetup&) = delete;

    /// Loads the policy. False (after printing why) when a file named with --policy is unusable.
    bool loadPolicy();
    void createAuditSink();
    /// Probes the lockers and the idle sources.
    void probe();
    /// `--check`: what was found, one line each. Returns the exit code: 0, or 3 without a usable locker.
    int printCheck(std::FILE* out);

    AgentCore& createCore();
    /// Logs and audits the start: lockers, idle source, policy; loudly when no locker works.
    void announce();
    void finish();

    const GuardSettings& settings() const { return m_settings; }
    LockerChain& lockers() { return m_lockers; }

private:
    std::optional<std::string> m_policyFile;
    GuardSettings m_settings;
    std::vector<std::string> m_lockCommand;
    std::string m_auditKind = "journald";
    std::string m_auditChosen;
    std::string m_policyDescription = "built-in defaults";

    SteadyClock m_clock;
    LockerChain m_lockers;
    std::vector<std::unique_ptr<IdleSource>> m_idleCandidates;
    std::vector<std::string> m_idleProbes;
    IdleSource* m_idle = nullptr;
    std::unique_ptr<AuditSink> m_audit;
    std::unique_ptr<AgentCore> m_core;
};

} // namespace cpslock::agent
