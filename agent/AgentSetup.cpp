// SPDX-License-Identifier: EUPL-1.2
#include "agent/AgentSetup.h"

#include "agent/AgentPolicy.h"
#include "pcsc/ReaderMonitor.h"
#include "platform/linux/AuditSinks.h"
#include "platform/linux/CommandLocker.h"
#include "platform/linux/LogindIdleSource.h"
#include "platform/linux/LogindLocker.h"
#include "platform/linux/LogindSession.h"
#include "platform/linux/MutterIdleSource.h"
#include "platform/linux/PolicyWatcher.h"
#include "platform/linux/ScreenSaverLocker.h"
#include "platform/linux/X11IdleSource.h"

#include <QDBusConnection>
#include <QSocketNotifier>

#include <spdlog/spdlog.h>

#include <filesystem>

namespace cpslock::agent {

AgentSetup::AgentSetup(std::optional<std::string> policyFile) : m_policyFile(std::move(policyFile)) {}

AgentSetup::~AgentSetup() {
    m_watcherNotifier.reset();
    if (m_core)
        m_core->stop();
    m_core.reset();
}

void AgentSetup::loadPolicy() {
    // CPSLOCK_POLICY is not honoured: the user must not choose the policy that locks their session.
    m_location = policy::resolvePolicyLocation(m_policyFile, std::nullopt, std::nullopt);
    m_store = std::make_unique<policy::PolicyStore>(m_location, policy::LoadOptions{});
    m_startOutcome = m_store->reload();
    const AgentPolicy p = agentPolicyFrom(*m_store->current());
    m_settings = p.guard;
    m_lockCommand = p.lockCommand;
    m_auditKind = p.auditSink;
    if (m_store->usingDefaults()) {
        m_policyDescription = m_startOutcome->kind == policy::PolicyStore::ReloadOutcome::Kind::Refused
                                  ? "built-in defaults (" + m_location.mainFile + " REFUSED)"
                                  : "built-in defaults";
    } else if (!m_policyFile && !std::filesystem::exists(m_location.mainFile)) {
        m_policyDescription = "built-in defaults (no " + m_location.mainFile + ")";
    } else {
        m_policyDescription = m_location.mainFile;
    }
    if (m_startOutcome->kind == policy::PolicyStore::ReloadOutcome::Kind::Refused) {
        for (const auto& d : m_startOutcome->diagnostics) {
            if (d.severity == policy::Diagnostic::Severity::Error)
                spdlog::error("{}", d.format());
        }
        spdlog::error("{}", m_startOutcome->summary());
    }
}

void AgentSetup::auditPolicyOutcome(const policy::PolicyStore::ReloadOutcome& outcome) {
    using Kind = policy::PolicyStore::ReloadOutcome::Kind;
    if (outcome.kind == Kind::Unchanged)
        return;
    AuditRecord r;
    r.fields.emplace_back("file", m_location.mainFile);
    if (outcome.kind == Kind::Applied) {
        r.kind = "policy-applied";
        std::string changes;
        for (const auto& c : outcome.changes)
            changes += (changes.empty() ? "" : "; ") + c;
        if (!changes.empty())
            r.fields.emplace_back("changes", changes);
    } else {
        r.kind = "policy-refused";
        r.severity = AuditRecord::Severity::Error;
        std::string errors;
        for (const auto& d : outcome.diagnostics) {
            if (d.severity == policy::Diagnostic::Severity::Error)
                errors += (errors.empty() ? "" : "; ") + d.format();
        }
        r.fields.emplace_back("errors", errors);
    }
    r.message = outcome.summary();
    m_core->auditRecord(r);
}

void AgentSetup::reloadPolicy() {
    const auto outcome = m_store->reload();
    if (outcome.kind == policy::PolicyStore::ReloadOutcome::Kind::Applied) {
        m_settings = guardSettingsFrom(*m_store->current());
        m_core->applySettings(m_settings);
        spdlog::info("{}", outcome.summary());
    } else if (outcome.kind == policy::PolicyStore::ReloadOutcome::Kind::Refused) {
        spdlog::error("{}", outcome.summary());
    }
    auditPolicyOutcome(outcome);
}

void AgentSetup::createAuditSink() {
    m_audit = platform::makeAuditSink(m_auditKind, &m_auditChosen);
}

void AgentSetup::probe() {
    m_lockers.add(std::make_unique<platform::LogindLocker>(QDBusConnection::systemBus()));
    m_lockers.add(std::make_unique<platform::ScreenSaverLocker>(QDBusConnection::sessionBus()));
    m_lockers.add(std::make_unique<platform::CommandLocker>(m_lockCommand));
    m_lockers.probeAll();

    m_idleCandidates.push_back(std::make_unique<platform::X11IdleSource>());
    m_idleCandidates.push_back(std::make_unique<platform::MutterIdleSource>(QDBusConnection::sessionBus()));
    m_idleCandidates.push_back(std::make_unique<platform::LogindIdleSource>(QDBusConnection::systemBus()));
    for (auto& source : m_idleCandidates) {
        const std::string why = source->probe();
        m_idleProbes.push_back(source->name() + ": " + (why.empty() ? "usable" : why));
        if (why.empty() && m_idle == nullptr)
            m_idle = source.get();
    }
}

int AgentSetup::printCheck(std::FILE* out) {
    std::fprintf(out, "policy: %s\n", m_policyDescription.c_str());
    if (m_startOutcome && m_startOutcome->kind == policy::PolicyStore::ReloadOutcome::Kind::Refused) {
        for (const auto& d : m_startOutcome->diagnostics)
            std::fprintf(out, "  %s\n", d.format().c_str());
    }
    std::fprintf(out,
                 "settings: removal %s, idle %llds (warning %llds), require_card %s (grace %llds), "
                 "service loss %s (grace %llds)\n",
                 std::string(toString(m_settings.removalAction)).c_str(),
                 static_cast<long long>(m_settings.idleTimeout.count() / 1000),
                 static_cast<long long>(m_settings.idleWarning.count() / 1000), m_settings.requireCard ? "on" : "off",
                 static_cast<long long>(m_settings.requireCardGrace.count() / 1000),
                 std::string(toString(m_settings.serviceLossAction)).c_str(),
                 static_cast<long long>(m_settings.serviceLossGrace.count() / 1000));
    std::fprintf(out, "audit: %s\n", m_auditChosen.c_str());
    for (const auto& c : m_lockers.candidates())
        std::fprintf(out, "locker %s: %s (%s)\n", c.name.c_str(), c.probe.usable ? "usable" : "unusable",
                     c.probe.detail.c_str());
    const std::optional<bool> locked = m_lockers.lockedState();
    std::fprintf(out, "session: %s\n", !locked ? "state unknown" : *locked ? "locked" : "unlocked");
    for (const auto& line : m_idleProbes)
        std::fprintf(out, "idle %s\n", line.c_str());
    std::fprintf(out, "idle source: %s\n", m_idle != nullptr ? m_idle->name().c_str() : "none (no idle lock)");

    std::vector<std::string> lines;
    bool serviceUp = false;
    {
        pcsc::ReaderMonitor monitor([&lines](const ReaderEvent& e) {
            std::string line = std::string(toString(e.type));
            if (!e.reader.empty())
                line += " \"" + e.reader + "\"";
            if (e.type == ReaderEventType::CardInserted) {
                line += " " + std::string(toString(e.kind));
                if (!e.serial.empty())
                    line += " " + e.serial;
            }
            if (!e.detail.empty())
                line += " (" + e.detail + ")";
            lines.push_back(line);
        });
        serviceUp = monitor.scanOnce();
    }
    std::fprintf(out, "pcscd: %s\n", serviceUp ? "answers" : "NOT REACHABLE (the agent would lock)");
    for (const auto& line : lines)
        std::fprintf(out, "  %s\n", line.c_str());

    if (!m_lockers.anyUsable()) {
        std::fprintf(out, "locker: NONE USABLE: this agent could not lock the session\n");
        return 3;
    }
    std::fprintf(out, "locker: %s\n", m_lockers.usableNames().c_str());
    return 0;
}

AgentCore& AgentSetup::createCore(SessionAuthority* authority) {
    m_core = std::make_unique<AgentCore>(m_clock, m_lockers, m_idle, *m_audit, authority, m_settings);
    // A stop during a logout must not lock (the session is going anyway); any other stop locks first.
    m_core->setSessionEndingCheck([] { return platform::logindSessionEnding(QDBusConnection::systemBus()); });
    return *m_core;
}

void AgentSetup::announce() {
    std::vector<std::pair<std::string, std::string>> fields{
        {"lockers", m_lockers.anyUsable() ? m_lockers.usableNames() : "none"},
        {"idle_source", m_idle != nullptr ? m_idle->name() : "none"},
        {"policy", m_policyDescription},
        {"audit", m_auditChosen},
    };
    m_core->auditRecord({"agent-started", AuditRecord::Severity::Info, "cpslock-agent started", fields});
    spdlog::info("started: lockers [{}], idle source {}, policy {}, audit to {}", fields[0].second, fields[1].second,
                 m_policyDescription, m_auditChosen);
    if (!m_lockers.anyUsable()) {
        std::string why;
        for (const auto& c : m_lockers.candidates())
            why += (why.empty() ? "" : "; ") + c.name + ": " + c.probe.detail;
        spdlog::critical("NO LOCKER WORKS: this agent cannot lock the session ({})", why);
        m_core->auditRecord({"locker-missing",
                             AuditRecord::Severity::Error,
                             "Aucun moyen de verrouiller la session / no way to lock the session",
                             {{"detail", why}}});
    }
    if (m_idle == nullptr && m_settings.idleTimeout.count() > 0) {
        spdlog::warn("no idle source: the idle lock cannot work");
    }
    if (m_startOutcome)
        auditPolicyOutcome(*m_startOutcome);

    m_watcher = std::make_unique<platform::PolicyWatcher>(m_location);
    if (!m_watcher->isValid()) {
        spdlog::error("cannot watch the policy files: {}", m_watcher->error());
        return;
    }
    m_watcherNotifier = std::make_unique<QSocketNotifier>(m_watcher->fd(), QSocketNotifier::Read);
    QObject::connect(m_watcherNotifier.get(), &QSocketNotifier::activated, m_watcherNotifier.get(), [this] {
        if (m_watcher->readEvents())
            reloadPolicy();
    });
}

void AgentSetup::finish() {
    if (m_core)
        m_core->auditRecord({"agent-stopped", AuditRecord::Severity::Info, "cpslock-agent stopped", {}});
}

} // namespace cpslock::agent
