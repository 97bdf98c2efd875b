// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "agent/AgentCore.h"
#include "agent/LockerChain.h"
#include "agent/SessionUser.h"
#include "core/AuditSink.h"
#include "core/Clock.h"
#include "core/GuardSettings.h"
#include "core/IdleSource.h"
#include "core/ReaderEvent.h"
#include "core/SessionAuthority.h"
#include "core/policy/PolicyStore.h"
#include "core/policy/SessionExemption.h"

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

class QSocketNotifier;

namespace cpslock::platform {
class PolicyWatcher;
}

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

    /// Loads the policy. A refused policy leaves the built-in defaults in force (fail closed: they are
    /// the strict ones); the refusal is printed now and audited once the sink exists.
    void loadPolicy();
    void createAuditSink();
    /// Probes the lockers and the idle sources.
    void probe();
    /// `--check`: what was found, one line each. Returns the exit code: 0, or 3 without a usable locker.
    int printCheck(std::FILE* out);
    /// `--check --json`: the same facts as one JSON object for fleet tools (schema: docs/admin.md),
    /// plus whether cpslockd answers on `daemonSocket`. Same exit code as printCheck.
    int printCheckJson(std::FILE* out, const std::string& daemonSocket);

    /// `authority`: the card authority client (cpslockd), must outlive the core; null: none reachable,
    /// which fails closed (no session is ever bound: require_card locks after its grace).
    AgentCore& createCore(SessionAuthority* authority);
    /// Logs and audits the start: lockers, idle source, policy; loudly when no locker works. Then
    /// watches the policy files: a valid change is applied, an invalid one refused and audited.
    void announce();
    void finish();

    const GuardSettings& settings() const { return m_settings; }
    LockerChain& lockers() { return m_lockers; }
    /// For the tray (contacts, diagnostics): the policy in force and how it was loaded.
    std::shared_ptr<const policy::Policy> policy() const { return m_store->current(); }
    const std::string& policyDescription() const { return m_policyDescription; }
    bool policyRefused() const {
        return m_startOutcome && m_startOutcome->kind == policy::PolicyStore::ReloadOutcome::Kind::Refused;
    }
    std::string idleSourceName() const { return m_idle != nullptr ? m_idle->name() : std::string("none"); }
    const std::string& auditDestination() const { return m_auditChosen; }
    /// The session's exemption (session.exempt_users / exempt_groups), empty when not exempt.
    const std::optional<policy::SessionExemption>& exemption() const { return m_exemption; }
    /// "user alice" / "group it-staff", empty when not exempt: for the tray, --check and the logs.
    std::string exemptionText() const;
    const SessionUser& sessionUser() const { return m_user; }

private:
    void auditPolicyOutcome(const policy::PolicyStore::ReloadOutcome& outcome);
    void reloadPolicy();
    /// Re-reads the user's groups and decides the exemption for the policy in force.
    void decideExemption();
    void auditExemption();
    /// One scan of pcscd's readers and cards: whether it answered, and what it reported.
    bool scanReaders(std::vector<ReaderEvent>& events) const;

    std::optional<std::string> m_policyFile;
    policy::PolicyLocation m_location;
    std::unique_ptr<policy::PolicyStore> m_store;
    std::optional<policy::PolicyStore::ReloadOutcome> m_startOutcome;
    std::unique_ptr<platform::PolicyWatcher> m_watcher;
    std::unique_ptr<QSocketNotifier> m_watcherNotifier;
    GuardSettings m_settings;
    std::vector<std::string> m_lockCommand;
    std::string m_auditKind = "journald";
    std::string m_auditChosen;
    std::string m_policyDescription = "built-in defaults";
    SessionUser m_user;
    std::optional<policy::SessionExemption> m_exemption;
    std::vector<std::string> m_unknownExemptGroups;

    SteadyClock m_clock;
    LockerChain m_lockers;
    std::vector<std::unique_ptr<IdleSource>> m_idleCandidates;
    std::vector<std::string> m_idleProbes;
    IdleSource* m_idle = nullptr;
    std::unique_ptr<AuditSink> m_audit;
    std::unique_ptr<AgentCore> m_core;
};

} // namespace cpslock::agent
