#include "agent/AgentSetup.h"

#include "pcsc/ReaderMonitor.h"
#include "platform/linux/AuditSinks.h"
#include "platform/linux/CommandLocker.h"
#include "platform/linux/LogindIdleSource.h"
#include "platform/linux/LogindLocker.h"
#include "platform/linux/MutterIdleSource.h"
#include "platform/linux/ScreenSaverLocker.h"
#include "platform/linux/X11IdleSource.h"

#include <QDBusConnection>

#include <spdlog/spdlog.h>

namespace cpslock::agent {

AgentSetup::AgentSetup(std::optional<std::string> policyFile) : m_policyFile(std::move(policyFile)) {}

AgentSetup::~AgentSetup() {
    if (m_core)
        m_core->stop();
    m_core.reset();
}

bool AgentSetup::loadPolicy() {
    if (m_policyFile) {
        std::fprintf(stderr, "cpslock-agent: --policy is not supported yet by this build\n");
        return false;
    }
    return true;
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

AgentCore& AgentSetup::createCore() {
    m_core = std::make_unique<AgentCore>(m_clock, m_lockers, m_idle, *m_audit, m_settings);
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
        m_core->auditRecord({"locker-missing", AuditRecord::Severity::Error,
                             "Aucun moyen de verrouiller la session / no way to lock the session", {{"detail", why}}});
    }
    if (m_idle == nullptr && m_settings.idleTimeout.count() > 0) {
        spdlog::warn("no idle source: the idle lock cannot work");
    }
}

void AgentSetup::finish() {
    if (m_core)
        m_core->auditRecord({"agent-stopped", AuditRecord::Severity::Info, "cpslock-agent stopped", {}});
}

} // namespace cpslock::agent
