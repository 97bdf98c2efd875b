// SPDX-License-Identifier: EUPL-1.2
#include "platform/linux/AuditSinks.h"

#include "core/AuditEvent.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

using cpslock::AuditRecord;
using cpslock::platform::auditMessageId;
using cpslock::platform::formatAuditLine;

TEST(AgentAuditLineTest, PlainValuesStayBareAndOthersAreQuoted) {
    const AuditRecord r{"lock",
                        AuditRecord::Severity::Info,
                        "Session locked",
                        {{"reason", "card-removed"}, {"reader", "Virtual PCD 00 00"}, {"latency_ms", "0.21"}}};
    EXPECT_EQ(formatAuditLine(r),
              "cpslock-audit kind=lock reason=card-removed reader=\"Virtual PCD 00 00\" latency_ms=0.21 "
              "msg=\"Session locked\"");
}

TEST(AgentAuditLineTest, AReaderNameCannotForgeASecondRecordOrField) {
    // A USB reader chooses its own name: newline, quotes and '=' must not escape the value.
    const AuditRecord r{"card-inserted",
                        AuditRecord::Severity::Info,
                        "x",
                        {{"reader", "evil\ncpslock-audit kind=session-unlocked \"a\"=b\\"}}};
    const std::string line = formatAuditLine(r);
    EXPECT_EQ(line.find('\n'), std::string::npos);
    EXPECT_EQ(line, "cpslock-audit kind=card-inserted reader=\"evil\\x0acpslock-audit kind=session-unlocked "
                    "\\\"a\\\"=b\\\\\" msg=x");
}

TEST(AgentAuditLineTest, EmptyValuesAreQuoted) {
    const AuditRecord r{"agent-stopped", AuditRecord::Severity::Info, "", {{"detail", ""}}};
    EXPECT_EQ(formatAuditLine(r), "cpslock-audit kind=agent-stopped detail=\"\" msg=\"\"");
}

TEST(AgentAuditLineTest, EveryKindTheAgentWritesHasADistinctMessageId) {
    const char* kinds[] = {"agent-started",
                           "locker-missing",
                           "card-inserted",
                           "card-removed",
                           "reader-added",
                           "reader-removed",
                           "session-unlocked",
                           "session-locked",
                           "card-bound",
                           "lock",
                           "logout",
                           "lock-failed",
                           "removal-ignored",
                           "token-logout",
                           "card-reminder",
                           "idle-warning",
                           "idle-cancelled",
                           "service-lost",
                           "service-restored",
                           "lock-averted",
                           "settings-changed",
                           "policy-applied",
                           "policy-refused",
                           "agent-stopped",
                           "card-not-verified",
                           "authority-unavailable",
                           "locker-available",
                           "agent-stopping",
                           "session-exempt",
                           "session-exemption-lifted"};
    std::set<std::string> ids;
    for (const char* kind : kinds) {
        const std::string id(auditMessageId(kind));
        ASSERT_EQ(id.size(), 32U) << kind;
        EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << kind;
        ids.insert(id);
    }
    EXPECT_EQ(ids.size(), std::size(kinds));
    EXPECT_TRUE(auditMessageId("no-such-kind").empty());
}

TEST(AgentAuditLineTest, EveryGuardAuditKindHasAMessageId) {
    for (const auto& [kind, name] : cpslock::kAuditKindNames)
        EXPECT_FALSE(auditMessageId(name).empty()) << name;
}
