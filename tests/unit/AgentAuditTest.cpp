// SPDX-License-Identifier: EUPL-1.2
// The agent's audit records: their shapes, and the order in which they reach the sink.
#include "agent/AgentAudit.h"

#include "tests/unit/AgentFakes.h"
#include "tests/unit/TestReaderEvents.h"

#include <gtest/gtest.h>

using cpslock::AuditEvent;
using cpslock::AuditKind;
using cpslock::AuditRecord;
using cpslock::CardKind;
using cpslock::LockReason;
using cpslock::ReaderEventType;
using cpslock::agent::AgentAudit;
using cpslock::test::RecordingSink;

namespace {

TEST(AgentAuditTest, HeldRecordsComeAfterTheOnesWrittenOnceReleased) {
    RecordingSink sink;
    AgentAudit audit(sink);
    audit.hold();
    audit.write({"lock", AuditRecord::Severity::Info, "lock", {}});
    EXPECT_TRUE(sink.records.empty()) << "held while the lock call leaves";
    audit.release();
    audit.write({"card-removed", AuditRecord::Severity::Info, "card-removed", {}});
    audit.flush();
    EXPECT_EQ(sink.kinds(), (std::vector<std::string>{"card-removed", "lock"}));
    audit.flush();
    EXPECT_EQ(sink.records.size(), 2U) << "flushed once";
}

TEST(AgentAuditTest, ALockRequestCarriesItsLatencyAndIsAnErrorWithoutLocker) {
    AuditEvent e;
    e.kind = AuditKind::LockRequested;
    e.reason = LockReason::CardRemoved;
    e.reader = "Virtual PCD 00 00";
    e.serial = "992138450";
    const AuditRecord r = cpslock::agent::guardRecord(e, std::chrono::microseconds(1500), false);
    EXPECT_EQ(r.kind, "lock");
    EXPECT_EQ(r.severity, AuditRecord::Severity::Error);
    EXPECT_EQ(r.field("latency_ms"), "1.50");
    EXPECT_EQ(r.field("reason"), "card-removed");
    EXPECT_EQ(r.message, cpslock::agent::bilingual(cpslock::userMessage(LockReason::CardRemoved)));

    const AuditRecord ok = cpslock::agent::guardRecord(e, std::nullopt, true);
    EXPECT_EQ(ok.severity, AuditRecord::Severity::Info);
    EXPECT_EQ(ok.field("latency_ms"), "");
}

TEST(AgentAuditTest, ServiceLossAndIdleWarningAreWarnings) {
    AuditEvent e;
    e.kind = AuditKind::ServiceLost;
    EXPECT_EQ(cpslock::agent::guardRecord(e, std::nullopt, true).severity, AuditRecord::Severity::Warning);
    e.kind = AuditKind::IdleWarning;
    EXPECT_EQ(cpslock::agent::guardRecord(e, std::nullopt, true).severity, AuditRecord::Severity::Warning);
}

TEST(AgentAuditTest, CardRecordsNameTheCardOnlyForCardEvents) {
    using cpslock::test::cardEvent;
    const AuditRecord in =
        cpslock::agent::cardRecord(cardEvent(ReaderEventType::CardInserted, "R", CardKind::Cps3, "992138450"));
    EXPECT_EQ(in.kind, "card-inserted");
    EXPECT_EQ(in.field("serial"), "992138450");
    EXPECT_EQ(in.field("card_kind"), "cps3");
    const AuditRecord added =
        cpslock::agent::cardRecord(cardEvent(ReaderEventType::ReaderAdded, "R", CardKind::Cps3, "1"));
    EXPECT_EQ(added.fields.size(), 1U);
    EXPECT_EQ(added.field("reader"), "R");
}

TEST(AgentAuditTest, ReasonsReadAsWordsAndMillisecondsHaveTwoDecimals) {
    EXPECT_EQ(cpslock::agent::reasonPhrase(LockReason::CardRemoved), "card removed");
    EXPECT_EQ(cpslock::agent::formatMs(std::chrono::nanoseconds(210'000)), "0.21");
    EXPECT_EQ(cpslock::agent::lockFailedRecord("x").field("detail"), "x");
}

} // namespace
