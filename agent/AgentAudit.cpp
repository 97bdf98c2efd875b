// SPDX-License-Identifier: EUPL-1.2
#include "agent/AgentAudit.h"

#include <cstdio>
#include <utility>

namespace cpslock::agent {

void AgentAudit::write(const AuditRecord& record) {
    if (m_holding) {
        m_held.push_back(record);
        return;
    }
    m_sink.write(record);
}

void AgentAudit::flush() {
    auto records = std::exchange(m_held, {});
    for (const auto& r : records)
        m_sink.write(r);
}

std::string formatMs(std::chrono::nanoseconds d) {
    char buf[32];
    (void)std::snprintf(buf, sizeof buf, "%.2f", static_cast<double>(d.count()) / 1e6);
    return buf;
}

std::string reasonPhrase(LockReason reason) {
    std::string s(toString(reason));
    for (char& c : s) {
        if (c == '-')
            c = ' ';
    }
    return s;
}

std::string bilingual(const LocalizedText& text) {
    return std::string(text.fr) + " / " + std::string(text.en);
}

AuditRecord guardRecord(const AuditEvent& event, std::optional<std::chrono::nanoseconds> latency,
                        bool lockerAvailable) {
    AuditRecord r;
    r.kind = std::string(toString(event.kind));
    if (event.reason)
        r.fields.emplace_back("reason", std::string(toString(*event.reason)));
    if (!event.reader.empty())
        r.fields.emplace_back("reader", event.reader);
    if (!event.serial.empty())
        r.fields.emplace_back("serial", event.serial);
    if (event.cardKind)
        r.fields.emplace_back("card_kind", std::string(toString(*event.cardKind)));
    if (!event.detail.empty())
        r.fields.emplace_back("detail", event.detail);
    switch (event.kind) {
    case AuditKind::LockRequested:
    case AuditKind::LogoutRequested:
        r.message = bilingual(userMessage(event.reason.value_or(LockReason::UserRequest)));
        if (latency)
            r.fields.emplace_back("latency_ms", formatMs(*latency));
        if (!lockerAvailable)
            r.severity = AuditRecord::Severity::Error;
        break;
    case AuditKind::ServiceLost:
        r.severity = AuditRecord::Severity::Warning;
        r.message = "Service des cartes à puce perdu / smart card service lost";
        break;
    case AuditKind::IdleWarning:
        r.severity = AuditRecord::Severity::Warning;
        r.message = "Verrouillage imminent pour inactivité / idle lock coming";
        break;
    default: r.message = r.kind; break;
    }
    return r;
}

AuditRecord cardRecord(const ReaderEvent& event) {
    AuditRecord r;
    r.kind = std::string(toString(event.type));
    r.fields.emplace_back("reader", event.reader);
    if (event.type == ReaderEventType::CardInserted || event.type == ReaderEventType::CardRemoved) {
        r.fields.emplace_back("card_kind", std::string(toString(event.kind)));
        if (!event.serial.empty())
            r.fields.emplace_back("serial", event.serial);
    }
    r.message = r.kind;
    return r;
}

AuditRecord lockFailedRecord(const std::string& detail) {
    return {"lock-failed",
            AuditRecord::Severity::Error,
            "Verrouillage impossible / the session could not be locked",
            {{"detail", detail}}};
}

} // namespace cpslock::agent
