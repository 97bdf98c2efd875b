// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/AuditSink.h"

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cpslock::platform {

/// The journald MESSAGE_ID of each audit kind (32 hex digits, fixed forever: admins filter on them
/// with `journalctl MESSAGE_ID=...`). Empty for an unknown kind.
std::string_view auditMessageId(std::string_view kind);

/// Every (kind, MESSAGE_ID) pair, for the message catalog's test (installer/journald/cpslock.catalog).
std::vector<std::pair<std::string_view, std::string_view>> auditMessageIds();

/// One line: `cpslock-audit kind=lock reason=card-removed reader="Virtual PCD 00 00" ... msg="..."`.
/// Values are quoted when they hold a space, a quote or a control character (escaped): a card
/// reader's name cannot forge a second record.
std::string formatAuditLine(const AuditRecord& record);

/// journald, through sd_journal_send: MESSAGE (formatAuditLine), MESSAGE_ID, PRIORITY, CPSLOCK_KIND and one
/// CPSLOCK_<FIELD> per field.
class JournaldAuditSink final : public AuditSink {
public:
    explicit JournaldAuditSink(std::string identifier = "cpslock-agent") : m_identifier(std::move(identifier)) {}
    void write(const AuditRecord& record) override;
    /// True when journald's socket is there (/run/systemd/journal/socket).
    static bool available();

private:
    std::string m_identifier; ///< SYSLOG_IDENTIFIER
};

/// syslog, facility LOG_AUTHPRIV (the audit trail of authentication events), one formatted line.
class SyslogAuditSink final : public AuditSink {
public:
    explicit SyslogAuditSink(std::string identifier = "cpslock-agent");
    ~SyslogAuditSink() override;
    SyslogAuditSink(const SyslogAuditSink&) = delete;
    SyslogAuditSink& operator=(const SyslogAuditSink&) = delete;
    void write(const AuditRecord& record) override;

private:
    std::string m_identifier; ///< openlog() keeps the pointer: it must live as long as the sink
};

/// A stream (stderr), one formatted line per record, flushed at once.
class StreamAuditSink final : public AuditSink {
public:
    explicit StreamAuditSink(std::FILE* stream) : m_stream(stream) {}
    void write(const AuditRecord& record) override;

private:
    std::FILE* m_stream;
};

/// "journald" (falls back to stderr when journald is not running), "syslog" or "stderr".
/// `identifier`: SYSLOG_IDENTIFIER / syslog tag of the program.
std::unique_ptr<AuditSink> makeAuditSink(std::string_view kind, std::string* chosen = nullptr,
                                         const std::string& identifier = "cpslock-agent");

} // namespace cpslock::platform
