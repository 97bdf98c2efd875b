// SPDX-License-Identifier: EUPL-1.2
#include "platform/linux/AuditSinks.h"

#include "core/TextEscape.h"

#include <sys/stat.h>
#include <syslog.h>
#include <systemd/sd-journal.h>

#include <array>
#include <cctype>
#include <utility>
#include <vector>

namespace cpslock::platform {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 38> kMessageIds{{
    {"agent-started", "5575ece976bb465e946d0406be431e5e"},
    {"locker-missing", "952ae1f0b86c40d388c9060c0db34a20"},
    {"card-inserted", "a45e9998cf0d4176ac849fc292007693"},
    {"card-removed", "6b64e2d0fe10429ea1d3f99cefd1de07"},
    {"reader-added", "b2a31b26268a4d7d9aba7f40c005516a"},
    {"reader-removed", "9b4b55d81a114ebdbc9f0549a5f26dc7"},
    {"session-unlocked", "b07b9449797c42a08368603b5a462156"},
    {"session-locked", "df5504c1eda14f12876a23802d82b408"},
    {"card-bound", "af007e1b7cbf4021b6e7691916a24f73"},
    {"lock", "c0ef45126968434e959441fd87b62b09"},
    {"logout", "8f6eda52bf224141ae188b4ccda48b6a"},
    {"lock-failed", "02866c27dbd948f9bbc135b637f5f8dc"},
    {"removal-ignored", "19173d057b3145edba45acc93ee5c012"},
    {"token-logout", "3283efb2633243599ccbca4d4f1a8a7d"},
    {"card-reminder", "6fe0eeae4efc4d879f8e90486addb211"},
    {"idle-warning", "270e6d270632455ba5ab9c6c15c25df0"},
    {"idle-cancelled", "e6d500e37d884336b92c1a6d23fccd27"},
    {"service-lost", "a178805aa1c545ffb6e4bccfc62ee0ed"},
    {"service-restored", "c19dd0b5b40a40b6bc601abd211e2390"},
    {"lock-averted", "d7d334c79ae148bbba64dbd4ae8f9329"},
    {"settings-changed", "dd2b7114502b421088733e29f01357f1"},
    {"policy-applied", "d5edaf88508d414f8e7056cce6aaf4ee"},
    {"policy-refused", "6c43a3c1ce7b450486eee6fe6694fc87"},
    {"agent-stopped", "21b3450986364b6587177267c4fc95c2"},
    // cpslockd, the card authority
    {"daemon-started", "0f1bf1a6a7c24c0c9d8f5a0c1e4a7b21"},
    {"daemon-stopped", "5d3c0b7e2f9a4e61a8c2d4b6e0f1a3c5"},
    {"auth-verified", "8a6e1d2c3b4f4a5e9d7c6b5a4f3e2d1c"},
    {"auth-refused", "c3d2e1f0a9b84c7d8e6f5a4b3c2d1e0f"},
    {"session-attached", "1e2d3c4b5a6948f7a6b5c4d3e2f1a0b9"},
    {"session-retired", "7b6a5c4d3e2f41a0b9c8d7e6f5a4b3c2"},
    {"card-reported-lost", "4f3e2d1c0b9a48e7d6c5b4a3f2e1d0c9"},
    {"request-refused", "a0b1c2d3e4f54a6b8c7d9e0f1a2b3c4d"},
    {"card-not-verified", "4a0c7d6e2f8b4e3c9d51a7f08b2e6c13"},
    {"authority-unavailable", "e83b1f5a90c24d7fa6d2c4b18e5f0a97"},
    {"locker-available", "7d2e9c41b5a84f06b3e8d1c07a6f2e58"},
    {"agent-stopping", "b51f08d3c7e6429aa0d4e92f13c8b7d6"},
    {"session-exempt", "cb7edb2553d14dc7aebeb105056b74c7"},
    {"session-exemption-lifted", "beb073a98ff44348aea40e2ac2f9881b"},
}};

int priority(AuditRecord::Severity s) {
    switch (s) {
    case AuditRecord::Severity::Error: return LOG_ERR;
    case AuditRecord::Severity::Warning: return LOG_WARNING;
    case AuditRecord::Severity::Info: break;
    }
    return LOG_NOTICE;
}

/// Bare when nothing in the value needs quoting, else "quoted": a reader names itself, so a value
/// must not start a second field or record.
void appendValue(std::string& out, std::string_view value) {
    std::string escaped;
    appendEscaped(escaped, value, EscapeStyle::Quoted);
    if (!value.empty() && escaped == value && value.find_first_of(" =") == std::string_view::npos) {
        out += value;
        return;
    }
    out += '"';
    out += escaped;
    out += '"';
}

std::string journalFieldName(std::string_view key) {
    std::string name = "CPSLOCK_";
    for (char c : key)
        name += std::isalnum(static_cast<unsigned char>(c))
                    ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                    : '_';
    return name;
}

} // namespace

std::vector<std::pair<std::string_view, std::string_view>> auditMessageIds() {
    return {kMessageIds.begin(), kMessageIds.end()};
}

std::string_view auditMessageId(std::string_view kind) {
    for (const auto& [k, id] : kMessageIds) {
        if (k == kind)
            return id;
    }
    return {};
}

std::string formatAuditLine(const AuditRecord& record) {
    std::string line = "cpslock-audit kind=";
    appendValue(line, record.kind);
    for (const auto& [key, value] : record.fields) {
        line += ' ';
        line += key;
        line += '=';
        appendValue(line, value);
    }
    line += " msg=";
    appendValue(line, record.message);
    return line;
}

bool JournaldAuditSink::available() {
    struct stat st {};
    return stat("/run/systemd/journal/socket", &st) == 0 && S_ISSOCK(st.st_mode);
}

void JournaldAuditSink::write(const AuditRecord& record) {
    // MESSAGE is the same key=value line as the syslog sink's: a collector that only forwards MESSAGE
    // (plain syslog, rsyslog's imjournal without the structured fields) keeps every field.
    std::vector<std::string> fields;
    fields.push_back("MESSAGE=" + formatAuditLine(record));
    fields.push_back("PRIORITY=" + std::to_string(priority(record.severity)));
    fields.push_back("SYSLOG_IDENTIFIER=" + m_identifier);
    fields.push_back("CPSLOCK_KIND=" + record.kind);
    if (const auto id = auditMessageId(record.kind); !id.empty())
        fields.push_back("MESSAGE_ID=" + std::string(id));
    for (const auto& [key, value] : record.fields)
        fields.push_back(journalFieldName(key) + "=" + value);
    std::vector<iovec> iov;
    iov.reserve(fields.size());
    for (auto& f : fields)
        iov.push_back({f.data(), f.size()});
    sd_journal_sendv(iov.data(), static_cast<int>(iov.size()));
}

SyslogAuditSink::SyslogAuditSink(std::string identifier) : m_identifier(std::move(identifier)) {
    openlog(m_identifier.c_str(), LOG_PID, LOG_AUTHPRIV);
}

SyslogAuditSink::~SyslogAuditSink() {
    closelog();
}

void SyslogAuditSink::write(const AuditRecord& record) {
    syslog(priority(record.severity), "%s", formatAuditLine(record).c_str());
}

void StreamAuditSink::write(const AuditRecord& record) {
    const std::string line = formatAuditLine(record) + "\n";
    std::fputs(line.c_str(), m_stream);
    (void)std::fflush(m_stream);
}

std::unique_ptr<AuditSink> makeAuditSink(std::string_view kind, std::string* chosen, const std::string& identifier) {
    auto say = [chosen](const char* what) {
        if (chosen != nullptr)
            *chosen = what;
    };
    if (kind == "syslog") {
        say("syslog");
        return std::make_unique<SyslogAuditSink>(identifier);
    }
    if (kind == "journald" && JournaldAuditSink::available()) {
        say("journald");
        return std::make_unique<JournaldAuditSink>(identifier);
    }
    say(kind == "journald" ? "stderr (journald not running)" : "stderr");
    return std::make_unique<StreamAuditSink>(stderr);
}

} // namespace cpslock::platform
