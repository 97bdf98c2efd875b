// SPDX-License-Identifier: EUPL-1.2
// LockDelivery alone: a lock decided → the lockers, confirmed or failed, retried, audited; the owner
// only hears that the failing flag changed and whether to quit.
#include "agent/LockDelivery.h"

#include "core/Clock.h"
#include "tests/unit/AgentFakes.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

using cpslock::LockReason;
using cpslock::agent::AgentAudit;
using cpslock::agent::LockDelivery;
using cpslock::agent::LockerChain;
using cpslock::test::FakeLocker;
using cpslock::test::RecordingSink;

namespace {

class RecordingOwner final : public LockDelivery::Owner {
public:
    void lockFailingChanged() override { ++failingChanges; }
    bool quitPending() const override { return quitting; }
    void quitNow() override { ++quits; }

    int failingChanges = 0;
    bool quitting = false;
    int quits = 0;
};

class LockDeliveryTest : public ::testing::Test {
protected:
    void SetUp() override { cpslock::test::app(); }

    /// `count` fake lockers, in chain order; usable unless `usable` is false.
    void make(int count = 1, bool usable = true) {
        for (int i = 0; i < count; ++i) {
            auto locker = std::make_unique<FakeLocker>();
            locker->usable = usable;
            fakes.push_back(locker.get());
            lockers.add(std::move(locker));
        }
        lockers.probeAll();
        delivery = std::make_unique<LockDelivery>(lockers, audit, owner);
    }

    LockerChain lockers;
    std::vector<FakeLocker*> fakes;
    RecordingSink sink;
    AgentAudit audit{sink};
    RecordingOwner owner;
    std::unique_ptr<LockDelivery> delivery;
};

TEST_F(LockDeliveryTest, TheLockLeavesAtOnceAndIsConfirmedByTheSessionOnly) {
    make();
    const std::int64_t eventNs = cpslock::monotonicNs();
    delivery->setEventNs(eventNs);
    delivery->deliver(LockReason::CardRemoved, false);
    EXPECT_EQ(fakes[0]->locks, 1) << "sent from deliver(), on the caller's stack";
    EXPECT_GE(delivery->sentNs(), eventNs);
    fakes[0]->answer(true);
    EXPECT_TRUE(delivery->confirmPending()) << "accepted is not done";
    delivery->settled(true);
    EXPECT_FALSE(delivery->confirmPending());
    EXPECT_FALSE(delivery->failing());
    EXPECT_TRUE(sink.records.empty());
    EXPECT_EQ(owner.quits, 0);
}

TEST_F(LockDeliveryTest, AFailureIsAuditedFlaggedAndRetriedUntilTheSessionLocks) {
    make();
    delivery->deliver(LockReason::Idle, false);
    fakes[0]->answer(false);
    EXPECT_TRUE(delivery->failing());
    EXPECT_EQ(owner.failingChanges, 1);
    EXPECT_TRUE(delivery->retryPending());
    ASSERT_NE(sink.last("lock-failed"), nullptr);
    EXPECT_EQ(sink.last("lock-failed")->severity, cpslock::AuditRecord::Severity::Error);
    EXPECT_NE(sink.last("lock-failed")->field("detail").find("desktop refused"), std::string::npos);

    delivery->lockerAvailable(); // a locker came (back): no waiting for the retry
    EXPECT_FALSE(delivery->retryPending());
    EXPECT_EQ(fakes[0]->locks, 2);
    fakes[0]->answer(true);
    delivery->settled(true);
    EXPECT_FALSE(delivery->failing());
    EXPECT_EQ(owner.failingChanges, 2);
}

TEST_F(LockDeliveryTest, AcceptedButNeverDoneTriesTheNextLocker) {
    make(2);
    delivery->deliver(LockReason::CardRemoved, false);
    fakes[0]->pending.front()(true, ""); // accepted; the session never reports locked
    fakes[0]->pending.clear();
    ASSERT_TRUE(delivery->confirmPending());
    delivery->handleUnconfirmed();
    ASSERT_NE(sink.last("lock-failed"), nullptr);
    EXPECT_EQ(sink.last("lock-failed")->field("detail"),
              "fake accepted the lock but the session did not lock within 5 s");
    EXPECT_EQ(fakes[1]->locks, 1);
    EXPECT_TRUE(delivery->failing());
}

TEST_F(LockDeliveryTest, AFailedLogoutLocksInstead) {
    make();
    fakes[0]->logoutWorks = false;
    delivery->deliver(LockReason::CardRemoved, true);
    EXPECT_EQ(fakes[0]->logouts, 1);
    EXPECT_EQ(fakes[0]->locks, 1);
    ASSERT_NE(sink.last("lock-failed"), nullptr);
    EXPECT_EQ(sink.last("lock-failed")->message,
              "Fermeture de session impossible, verrouillage à la place / logout failed, locking instead");
}

TEST_F(LockDeliveryTest, StoppingWithoutAnyLockerQuitsInsteadOfRetrying) {
    make(1, false);
    owner.quitting = true;
    delivery->deliver(LockReason::AgentStopped, false);
    EXPECT_EQ(owner.quits, 1);
    EXPECT_FALSE(delivery->retryPending());
    EXPECT_NE(sink.last("lock-failed"), nullptr) << "the failure is still audited";
}

TEST_F(LockDeliveryTest, StoppedItNoLongerRetriesAndAnAnswerAfterItsEndIsIgnored) {
    make();
    delivery->deliver(LockReason::CardRemoved, false);
    delivery->stop();
    fakes[0]->answer(false);
    EXPECT_FALSE(delivery->retryPending());

    delivery->deliver(LockReason::CardRemoved, false);
    delivery.reset();
    const auto before = sink.records.size();
    fakes[0]->answer(false); // the D-Bus reply arrives after the agent's core went away
    EXPECT_EQ(sink.records.size(), before);
}

} // namespace
