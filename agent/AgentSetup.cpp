// SPDX-License-Identifier: EUPL-1.2
#include "agent/AgentSetup.h"

#include "agent/AgentPolicy.h"
#include "core/Version.h"
#include "pcsc/ReaderMonitor.h"
#include "platform/linux/AuditSinks.h"
#include "platform/linux/CommandLocker.h"
#include "platform/linux/DiskPolicyFiles.h"
#include "platform/linux/LogindIdleSource.h"
#include "platform/linux/LogindLocker.h"
#include "platform/linux/LogindSession.h"
#include "platform/linux/MutterIdleSource.h"
#include "platform/linux/PolicyWatcher.h"
#include "platform/linux/ScreenSaverLocker.h"
#include "platform/linux/X11IdleSource.h"
#include "protocol/DaemonClient.h"

#include <QDBusConnection>
#include <QSocketNotifier>

#include <nlohmann/json.hpp>
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
    m_store = std::make_unique<policy::PolicyStore>(m_location, std::make_shared<const platform::DiskPolicyFiles>(),
                                                    policy::LoadOptions{});
    m_startOutcome = m_store->reload();
    decideExemption();
    const AgentPolicy p = agentPolicyFrom(*m_store->current(), m_exemption.has_value());
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
        for (const std::string& line : policy::errorLines(m_startOutcome->diagnostics))
            spdlog::error("{}", line);
        spdlog::error("{}", m_startOutcome->summary());
    }
}

void AgentSetup::decideExemption() {
    const auto& session = m_store->current()->session;
    m_unknownExemptGroups.clear();
    if (session.exemptUsers.empty() && session.exemptGroups.empty()) {
        m_exemption.reset();
        return;
    }
    m_user = currentSessionUser();
    if (!m_user.error.empty())
        spdlog::warn("exemption: {}", m_user.error);
    m_exemption = policy::sessionExemption(session, m_user.name, m_user.groups);
    for (const std::string& group : session.exemptGroups) {
        if (!groupExists(group)) {
            m_unknownExemptGroups.push_back(group);
            spdlog::warn("session.exempt_groups names '{}', a group this system does not know: it exempts nobody",
                         group);
        }
    }
}

std::string AgentSetup::exemptionText() const {
    if (!m_exemption)
        return {};
    return std::string(policy::toString(m_exemption->by)) + " " + m_exemption->name;
}

void AgentSetup::auditExemption() {
    if (!m_exemption)
        return;
    std::vector<std::pair<std::string, std::string>> fields{
        {"user", m_user.name}, {"by", std::string(policy::toString(m_exemption->by))}, {"name", m_exemption->name}};
    m_core->auditRecord({"session-exempt", AuditRecord::Severity::Warning,
                         "Session exemptée : pas de verrouillage automatique (" + exemptionText() +
                             ") / exempt session: no automatic lock",
                         fields});
    spdlog::warn("exempt session ({}): the agent does not lock on card removal, idle, missing card or pcscd loss",
                 exemptionText());
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
        for (const std::string& line : policy::errorLines(outcome.diagnostics))
            errors += (errors.empty() ? "" : "; ") + line;
        r.fields.emplace_back("errors", errors);
    }
    r.message = outcome.summary();
    m_core->auditRecord(r);
}

void AgentSetup::reloadPolicy() {
    const auto outcome = m_store->reload();
    if (outcome.kind == policy::PolicyStore::ReloadOutcome::Kind::Applied) {
        const auto before = m_exemption;
        decideExemption();
        m_settings = guardSettingsFrom(*m_store->current(), m_exemption.has_value());
        m_core->applySettings(m_settings);
        spdlog::info("{}", outcome.summary());
        if (m_exemption && m_exemption != before) {
            auditExemption();
        } else if (!m_exemption && before) {
            m_core->auditRecord({"session-exemption-lifted",
                                 AuditRecord::Severity::Info,
                                 "Session plus exemptée / the session is no longer exempt",
                                 {{"user", m_user.name}}});
        }
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
        const Result<void> probe = source->probe();
        m_idleProbes.push_back(source->name() + ": " + (probe ? "usable" : probe.error().message));
        if (probe && m_idle == nullptr)
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
    std::fprintf(out, "exemption: %s\n", m_exemption ? exemptionText().c_str() : "none");
    for (const auto& c : m_lockers.candidates())
        std::fprintf(out, "locker %s: %s (%s)\n", c.name.c_str(), c.probe.usable ? "usable" : "unusable",
                     c.probe.detail.c_str());
    const std::optional<bool> locked = m_lockers.lockedState();
    std::fprintf(out, "session: %s\n", !locked ? "state unknown" : *locked ? "locked" : "unlocked");
    for (const auto& line : m_idleProbes)
        std::fprintf(out, "idle %s\n", line.c_str());
    std::fprintf(out, "idle source: %s\n", m_idle != nullptr ? m_idle->name().c_str() : "none (no idle lock)");

    std::vector<ReaderEvent> events;
    const bool serviceUp = scanReaders(events);
    std::vector<std::string> lines;
    for (const ReaderEvent& e : events) {
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

bool AgentSetup::scanReaders(std::vector<ReaderEvent>& events) const {
    pcsc::ReaderMonitor monitor([&events](const ReaderEvent& e) { events.push_back(e); });
    return monitor.scanOnce();
}

namespace {

using Json = nlohmann::ordered_json;

/// --check --json "policy": the file, whether it loaded, and what the loader said about it.
Json policyJson(const std::string& file, const std::optional<policy::PolicyStore::ReloadOutcome>& outcome, bool refused,
                bool usingDefaults) {
    Json policy;
    policy["file"] = file;
    policy["loaded"] = !refused;
    policy["in_force"] = refused || usingDefaults ? "defaults" : "file";
    Json errors = Json::array();
    Json warnings = Json::array();
    if (outcome) {
        for (const auto& d : outcome->diagnostics) {
            if (d.severity == policy::Diagnostic::Severity::Error)
                errors.push_back(d.format());
            else if (d.severity == policy::Diagnostic::Severity::Warning)
                warnings.push_back(d.format());
        }
    }
    policy["errors"] = errors;
    policy["warnings"] = warnings;
    return policy;
}

Json settingsJson(const GuardSettings& settings) {
    return {
        {"removal_action", std::string(toString(settings.removalAction))},
        {"idle_timeout_s", settings.idleTimeout.count() / 1000},
        {"idle_warning_s", settings.idleWarning.count() / 1000},
        {"require_card", settings.requireCard},
        {"require_card_grace_s", settings.requireCardGrace.count() / 1000},
        {"service_loss_action", std::string(toString(settings.serviceLossAction))},
        {"service_loss_grace_s", settings.serviceLossGrace.count() / 1000},
    };
}

/// --check --json "cpslockd": whether it answers a ping on `socket`, its version or why not.
Json daemonJson(const std::string& socket) {
    const auto ping = protocol::DaemonClient(socket, std::chrono::milliseconds(1500))
                          .call(protocol::Request{protocol::Verb::Ping, {}});
    const bool up = ping && ping->ok;
    Json daemon{{"socket", socket}, {"reachable", up}};
    daemon["version"] = up ? Json(ping->get("version")) : Json(nullptr);
    daemon["error"] = up ? Json(nullptr) : Json(ping ? ping->code : ping.error().message);
    return daemon;
}

/// --check --json "pcscd" "readers": each reader with the card the scan found in it.
Json readersJson(const std::vector<ReaderEvent>& events) {
    Json readers = Json::array();
    for (const ReaderEvent& e : events) {
        if (e.type == ReaderEventType::ReaderAdded) {
            readers.push_back({{"name", e.reader}, {"card", nullptr}});
        } else if (e.type == ReaderEventType::CardInserted) {
            for (auto& r : readers) {
                if (r["name"] == e.reader)
                    r["card"] = {{"kind", std::string(toString(e.kind))},
                                 {"serial", e.serial.empty() ? Json(nullptr) : Json(e.serial)}};
            }
        }
    }
    return readers;
}

} // namespace

int AgentSetup::printCheckJson(std::FILE* out, const std::string& daemonSocket) {
    Json j;
    j["schema"] = 1;
    j["version"] = CPSLOCK_VERSION;
    const SessionUser user = currentSessionUser();
    j["user"] = user.name.empty() ? Json(nullptr) : Json(user.name);

    std::vector<std::string> problems;
    j["policy"] = policyJson(m_location.mainFile, m_startOutcome, policyRefused(), m_store->usingDefaults());
    if (policyRefused())
        problems.emplace_back("policy-refused");

    if (m_exemption)
        j["exemption"] = {{"by", std::string(policy::toString(m_exemption->by))}, {"name", m_exemption->name}};
    else
        j["exemption"] = nullptr;
    Json unknownGroups = Json::array();
    for (const auto& g : m_unknownExemptGroups)
        unknownGroups.push_back(g);
    j["unknown_exempt_groups"] = unknownGroups;
    j["settings"] = settingsJson(m_settings);

    j["cpslockd"] = daemonJson(daemonSocket);
    if (!j["cpslockd"]["reachable"].get<bool>())
        problems.emplace_back("cpslockd-unreachable");

    Json lockers = Json::array();
    for (const auto& c : m_lockers.candidates())
        lockers.push_back({{"name", c.name}, {"usable", c.probe.usable}, {"detail", c.probe.detail}});
    j["lockers"] = lockers;
    j["locker_available"] = m_lockers.anyUsable();
    if (!m_lockers.anyUsable())
        problems.emplace_back("no-locker");
    const std::optional<bool> locked = m_lockers.lockedState();
    j["session"] = !locked ? "unknown" : *locked ? "locked" : "unlocked";
    j["idle_source"] = m_idle != nullptr ? Json(m_idle->name()) : Json(nullptr);
    j["audit"] = m_auditChosen;

    std::vector<ReaderEvent> events;
    const bool serviceUp = scanReaders(events);
    j["pcscd"] = {{"reachable", serviceUp}, {"readers", readersJson(events)}};
    if (!serviceUp)
        problems.emplace_back("pcscd-unreachable");

    j["protected"] = m_lockers.anyUsable();
    j["problems"] = problems;
    const std::string text = j.dump() + "\n";
    std::fputs(text.c_str(), out);
    return m_lockers.anyUsable() ? 0 : 3;
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
    auditExemption();

    auto watcher = platform::PolicyWatcher::open(m_location);
    if (!watcher) {
        spdlog::error("cannot watch the policy files: {}", watcher.error().message);
        return;
    }
    m_watcher = std::move(*watcher);
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
