// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/AuditEvent.h"
#include "core/AuditSink.h"
#include "core/LockReason.h"
#include "core/ReaderEvent.h"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace cpslock::agent {

/// The agent's audit records on their way to the sink. While a reader event is handled the guard's
/// own records are held back: the lock call leaves first, and the card's record is written before them.
class AgentAudit {
public:
    explicit AgentAudit(AuditSink& sink) : m_sink(sink) {}

    void write(const AuditRecord& record);
    /// From now on write() keeps the records until release() and flush().
    void hold() { m_holding = true; }
    /// write() goes straight to the sink again; the held records wait for flush().
    void release() { m_holding = false; }
    /// Writes the held records, in order.
    void flush();

private:
    AuditSink& m_sink;
    bool m_holding = false;
    std::vector<AuditRecord> m_held;
};

/// "1.23": milliseconds with two decimals, for the latency field and the log.
std::string formatMs(std::chrono::nanoseconds d);
/// "card removed" for LockReason::CardRemoved: the reason as the log line says it.
std::string reasonPhrase(LockReason reason);
/// "français / English", the record's message for a text the user also sees.
std::string bilingual(const LocalizedText& text);

/// The record of one of the guard's events. `latency`: from the reader event to the lock call (lock and
/// logout requests); `lockerAvailable`: false makes a lock request an error (nothing can carry it out).
AuditRecord guardRecord(const AuditEvent& event, std::optional<std::chrono::nanoseconds> latency, bool lockerAvailable);
/// The record of what the monitor saw in a reader (card in or out, reader added or removed).
AuditRecord cardRecord(const ReaderEvent& event);
/// "lock-failed": the session could not be locked, and why.
AuditRecord lockFailedRecord(const std::string& detail);

} // namespace cpslock::agent
