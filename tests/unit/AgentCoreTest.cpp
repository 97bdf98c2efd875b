// SPDX-License-Identifier: EUPL-1.2
// AgentCore with fakes: lockers, idle source and audit sink recorded; a fake clock drives the guard's
// timer (the test calls handleTimer() when timerDeadline() is reached: no sleeps).
#include "agent/AgentCore.h"
#include "tests/unit/TestReaderEvents.h"

#include "tests/unit/AgentFakes.h"
#include "tests/unit/FakeClock.h"

#include <QCoreApplication>

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using cpslock::AuditRecord;
using cpslock::AuditSink;
using cpslock::CardKind;
using cpslock::GuardSettings;
using cpslock::IdleSource;
using cpslock::Locker;
using cpslock::LockerProbe;
using cpslock::ReaderEvent;
using cpslock::ReaderEventType;
using cpslock::SessionState;
using cpslock::agent::AgentCore;
using cpslock::agent::LockerChain;
using cpslock::test::app;
using cpslock::test::FakeClock;
using cpslock::test::FakeLocker;
using cpslock::test::RecordingSink;

namespace {

/// cpslockd as the agent sees it: answers what the test set, records what it was told.
class FakeAuthority final : public cpslock::SessionAuthority {
public:
    Answer verifiedCard() override {
        ++asks;
        if (!answer.error.empty())
            return cpslock::fail(answer.error);
        return answer.card;
    }
    void sessionLocked(std::uint64_t generation) override { locked.push_back(generation); }

    /// What the next verifiedCard() answers: a non-empty `error` wins over `card`.
    struct {
        std::optional<cpslock::VerifiedCard> card;
        std::string error;
    } answer;
    int asks = 0;
    std::vector<std::uint64_t> locked;
};

class FakeIdle final : public IdleSource {
public:
    std::string name() const override { return "fake-idle"; }
    cpslock::Result<void> probe() override { return {}; }
    std::optional<std::chrono::milliseconds> idleTime() override {
        ++samples;
        return idle;
    }
    void watchActivity(ActivityHandler handler) override { activity = std::move(handler); }

    std::optional<std::chrono::milliseconds> idle = 0ms;
    int samples = 0;
    ActivityHandler activity;
};

using cpslock::test::cardEvent;

const std::string kSlot0 = "Virtual PCD 00 00";
const std::string kSlot1 = "Virtual PCD 00 01";
const std::string kSerial = "992138450";
const cpslock::VerifiedCard kVerified{kSlot0, kSerial,
                                      "5f1c0a7e9b3d4c2a8e6f1b0d9c7a5e3f2b1d0c9e8f7a6b5c4d3e2f1a0b9c8d7e", "Dr Test", 1};

class AgentCoreTest : public ::testing::Test {
protected:
    void SetUp() override { app(); }

    void start(GuardSettings settings = noIdle()) {
        auto locker = std::make_unique<FakeLocker>();
        locker->usable = lockerUsable;
        locker->state = initialState;
        fake = locker.get();
        lockers.add(std::move(locker));
        for (auto& extra : extraLockers)
            lockers.add(std::move(extra));
        lockers.probeAll();
        authority.answer.card = verifiedCard;
        core = std::make_unique<AgentCore>(clock, lockers, &idle, sink, withAuthority ? &authority : nullptr, settings);
        core->setIdleWarningHandler([this](std::optional<std::chrono::milliseconds> r) { warnings.push_back(r); });
        core->start(false);
    }

    static GuardSettings noIdle() {
        GuardSettings s;
        s.idleTimeout = 0ms;
        return s;
    }

    /// The card cpslockd verified (kVerified) shows up in its reader: bound.
    void bindCps() {
        core->onReaderEvent(cardEvent(ReaderEventType::CardInserted, kSlot0, CardKind::Cps3, "992138450"));
        ASSERT_EQ(core->status().boundCards.size(), 1U);
    }

    /// Lets the Qt event loop run (real timers) until `done` or `limit`.
    template <typename Pred> bool processEventsUntil(Pred done, std::chrono::milliseconds limit) {
        const auto until = std::chrono::steady_clock::now() + limit;
        while (!done() && std::chrono::steady_clock::now() < until)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        return done();
    }

    /// Runs the guard timer until the fake clock reaches `until`, as the event loop would.
    void runTimersUntil(FakeClock::TimePoint until) {
        for (int i = 0; i < 1000; ++i) {
            const auto due = core->timerDeadline();
            if (!due || *due > until)
                break;
            clock.set(std::max(*due, clock.now()));
            core->handleTimer();
        }
        clock.set(std::max(until, clock.now()));
    }

    FakeClock clock;
    FakeIdle idle;
    RecordingSink sink;
    LockerChain lockers;
    FakeLocker* fake = nullptr;
    bool lockerUsable = true;
    std::optional<bool> initialState = false;
    std::vector<std::unique_ptr<FakeLocker>> extraLockers; ///< tried after the main fake
    FakeAuthority authority;
    bool withAuthority = true;
    std::optional<cpslock::VerifiedCard> verifiedCard = kVerified; ///< what cpslockd answers at start
    std::unique_ptr<AgentCore> core;
    std::vector<std::optional<std::chrono::milliseconds>> warnings;
};

TEST_F(AgentCoreTest, SessionCardRemovalCallsLockOnceAndAuditsCardThenLockWithLatency) {
    start();
    bindCps();
    const std::int64_t eventNs = cpslock::monotonicNs();
    core->onReaderEvent(cardEvent(ReaderEventType::CardRemoved, kSlot0, CardKind::Cps3, "992138450", eventNs));
    EXPECT_EQ(fake->locks, 1);
    const auto kinds = sink.kinds();
    const auto removed = std::find(kinds.begin(), kinds.end(), "card-removed");
    const auto lock = std::find(kinds.begin(), kinds.end(), "lock");
    ASSERT_NE(removed, kinds.end());
    ASSERT_NE(lock, kinds.end());
    EXPECT_LT(removed, lock);
    const AuditRecord* r = sink.last("lock");
    EXPECT_EQ(r->field("reason"), "card-removed");
    EXPECT_EQ(r->field("serial"), "992138450");
    EXPECT_FALSE(r->field("latency_ms").empty());
    EXPECT_LT(std::stod(r->field("latency_ms")), 1000.0);

    // A second removal-like event before the desktop answered: no second call.
    core->onReaderEvent(cardEvent(ReaderEventType::CardInserted, kSlot0, CardKind::Cps3, "1111111111"));
    EXPECT_EQ(fake->locks, 1);
    fake->answer(true);
    EXPECT_EQ(core->status().session, SessionState::Locked);
    EXPECT_EQ(sink.kinds().back(), "session-locked");
}

TEST_F(AgentCoreTest, VitaleInTheOtherReaderNeverLocks) {
    start();
    bindCps();
    for (int i = 0; i < 3; ++i) {
        core->onReaderEvent(cardEvent(ReaderEventType::CardInserted, kSlot1, CardKind::Vitale, ""));
        core->onReaderEvent(cardEvent(ReaderEventType::CardRemoved, kSlot1, CardKind::Vitale, ""));
    }
    EXPECT_EQ(fake->locks, 0);
    EXPECT_EQ(sink.last("card-removed")->field("card_kind"), "vitale");
}

TEST_F(AgentCoreTest, EventsPostedFromTheMonitorThreadRunOnTheMainLoopOnly) {
    start();
    bindCps();
    std::thread monitor([this] {
        core->postReaderEvent(cardEvent(ReaderEventType::CardRemoved, kSlot0, CardKind::Cps3, "992138450"));
    });
    monitor.join();
    EXPECT_EQ(fake->locks, 0) << "must not run on the posting thread";
    QCoreApplication::processEvents();
    EXPECT_EQ(fake->locks, 1);
}

TEST_F(AgentCoreTest, EveryLockerFailingIsAuditedAsAnErrorAndRetried) {
    start();
    bindCps();
    core->onReaderEvent(cardEvent(ReaderEventType::CardRemoved, kSlot0, CardKind::Cps3, "992138450"));
    fake->answer(false);
    const AuditRecord* failed = sink.last("lock-failed");
    ASSERT_NE(failed, nullptr);
    EXPECT_EQ(failed->severity, AuditRecord::Severity::Error);
    EXPECT_EQ(failed->field("detail"), "desktop refused");
    EXPECT_TRUE(core->retryPending());
    EXPECT_FALSE(core->lockerWorking()) << "the tray shows its error state";
    // The session reported locked (by someone else) ends the retries.
    fake->lockedByDesktop();
    EXPECT_FALSE(core->retryPending());
    EXPECT_TRUE(core->lockerWorking());
}

TEST_F(AgentCoreTest, TheLockIsReallyAskedAgainAfterAFailure) {
    // Not just an armed timer: the second lock() call reaches the locker.
    start();
    bindCps();
    core->onReaderEvent(cardEvent(ReaderEventType::CardRemoved, kSlot0, CardKind::Cps3, "992138450"));
    ASSERT_EQ(fake->locks, 1);
    fake->answer(false);
    ASSERT_TRUE(processEventsUntil([this] { return fake->locks == 2; }, 5s)) << fake->locks;
    EXPECT_EQ(sink.last("lock-failed")->field("detail"), "desktop refused");
    fake->answer(true);
    EXPECT_EQ(core->status().session, SessionState::Locked);
    EXPECT_FALSE(core->retryPending());
}

TEST_F(AgentCoreTest, ALockAcceptedButNeverDoneIsAFailureAndTheNextLockerIsTried) {
    // logind's Lock() succeeds even when no screen locker listens: accepted is not locked.
    auto second = std::make_unique<FakeLocker>();
    FakeLocker* screensaver = second.get();
    extraLockers.push_back(std::move(second));
    start(); // probes both: the main fake ("logind") first
    bindCps();
    core->onReaderEvent(cardEvent(ReaderEventType::CardRemoved, kSlot0, CardKind::Cps3, "992138450"));
    ASSERT_EQ(fake->locks, 1);
    auto done = std::move(fake->pending.front());
    fake->pending.clear();
    done(true, {}); // accepted, and then nothing
    EXPECT_TRUE(core->confirmPending());
    core->handleLockUnconfirmed();
    const AuditRecord* failed = sink.last("lock-failed");
    ASSERT_NE(failed, nullptr);
    EXPECT_NE(failed->field("detail").find("did not lock"), std::string::npos);
    EXPECT_EQ(screensaver->locks, 1) << "the next locker must be asked";
    EXPECT_EQ(fake->locks, 1);
    screensaver->answer(true); // this one locks, and says so itself...
    EXPECT_NE(core->status().session, SessionState::Locked) << "only the session's own state (LockedHint) counts";
    fake->lockedByDesktop(); // ...and the session's state follows
    EXPECT_EQ(core->status().session, SessionState::Locked);
    EXPECT_FALSE(core->confirmPending());
}

TEST_F(AgentCoreTest, NoUsableLockerStillDecidesAndReportsEveryFailure) {
    lockerUsable = false;
    initialState = std::nullopt;
    GuardSettings s = noIdle();
    s.requireCardGrace = 5s;
    start(s);
    EXPECT_EQ(core->status().session, SessionState::Unlocked) << "unknown state counts as unlocked";
    runTimersUntil(clock.now() + 5s);
    EXPECT_EQ(sink.last("lock")->field("reason"), "no-card");
    EXPECT_EQ(sink.last("lock")->severity, AuditRecord::Severity::Error);
    ASSERT_NE(sink.last("lock-failed"), nullptr);
    EXPECT_EQ(sink.last("lock-failed")->field("detail"), "no usable locker");
    EXPECT_EQ(fake->locks, 0);
}

TEST_F(AgentCoreTest, StartedInALockedSessionDoesNothingUntilUnlocked) {
    initialState = true;
    GuardSettings s = noIdle();
    s.requireCardGrace = 5s;
    start(s);
    EXPECT_EQ(core->status().session, SessionState::Locked);
    runTimersUntil(clock.now() + 1h);
    EXPECT_EQ(fake->locks, 0);
    fake->unlock();
    runTimersUntil(clock.now() + 5s);
    EXPECT_EQ(fake->locks, 1);
    EXPECT_EQ(sink.last("lock")->field("reason"), "no-card");
}

TEST_F(AgentCoreTest, LogoutThatFailsLocksInstead) {
    GuardSettings s = noIdle();
    s.removalAction = cpslock::RemovalAction::Logout;
    start(s);
    fake->logoutWorks = false;
    bindCps();
    core->onReaderEvent(cardEvent(ReaderEventType::CardRemoved, kSlot0, CardKind::Cps3, "992138450"));
    EXPECT_EQ(fake->logouts, 1);
    EXPECT_EQ(fake->locks, 1);
    EXPECT_NE(sink.last("lock-failed"), nullptr);
}

TEST_F(AgentCoreTest, IdleWarnsThenLocksFromSamplesAskedOnlyWhenDue) {
    verifiedCard.reset();
    GuardSettings s;
    s.requireCard = false;
    s.idleTimeout = 30s;
    s.idleWarning = 10s;
    start(s);
    const auto t0 = clock.now();
    // The user works for 5 minutes: the source is asked about once per 20 s, not every second.
    for (int minute = 0; minute < 5 * 6; ++minute) {
        idle.idle = 1s;
        runTimersUntil(clock.now() + 10s);
    }
    EXPECT_LE(idle.samples, 5 * 3 + 2);
    EXPECT_TRUE(warnings.empty());

    // Then stops: the idle time grows with the clock.
    const auto stoppedAt = clock.now();
    for (int i = 0; i < 60 && fake->locks == 0; ++i) {
        idle.idle = std::chrono::duration_cast<std::chrono::milliseconds>(clock.now() - stoppedAt);
        const auto due = core->timerDeadline();
        ASSERT_TRUE(due.has_value());
        clock.set(std::max(*due, clock.now()));
        idle.idle = std::chrono::duration_cast<std::chrono::milliseconds>(clock.now() - stoppedAt);
        core->handleTimer();
    }
    ASSERT_FALSE(warnings.empty());
    EXPECT_TRUE(warnings.front().has_value());
    EXPECT_NE(sink.last("idle-warning"), nullptr);
    EXPECT_EQ(fake->locks, 1);
    EXPECT_EQ(sink.last("lock")->field("reason"), "idle");
    EXPECT_GE(clock.now() - stoppedAt, 30s);
    EXPECT_LE(clock.now() - stoppedAt, 32s);
    (void)t0;
}

TEST_F(AgentCoreTest, PushedActivityCancelsTheWarning) {
    verifiedCard.reset();
    GuardSettings s;
    s.requireCard = false;
    s.idleTimeout = 30s;
    s.idleWarning = 10s;
    start(s);
    idle.idle = 25s;
    runTimersUntil(clock.now());
    ASSERT_FALSE(warnings.empty());
    ASSERT_TRUE(idle.activity);
    idle.activity();
    EXPECT_FALSE(warnings.back().has_value());
    EXPECT_NE(sink.last("idle-cancelled"), nullptr);
    idle.idle = 0ms;
    runTimersUntil(clock.now() + 15s);
    EXPECT_EQ(fake->locks, 0);
}

TEST_F(AgentCoreTest, PolicySettingsApplyToARunningSession) {
    verifiedCard.reset();
    GuardSettings s = noIdle();
    s.requireCard = false;
    start(s);
    runTimersUntil(clock.now() + 1h);
    EXPECT_EQ(fake->locks, 0);
    s.requireCard = true;
    s.requireCardGrace = 3s;
    core->applySettings(s);
    EXPECT_NE(sink.last("settings-changed"), nullptr);
    runTimersUntil(clock.now() + 3s);
    EXPECT_EQ(fake->locks, 1);
}

TEST_F(AgentCoreTest, StopIsIdempotentAndIgnoresLateEvents) {
    start();
    bindCps();
    core->stop();
    core->stop();
    core->onReaderEvent(cardEvent(ReaderEventType::CardRemoved, kSlot0, CardKind::Cps3, "992138450"));
    EXPECT_EQ(fake->locks, 0);
}

// ---- the card authority (issue 10) ----------------------------------------------------------------------

TEST_F(AgentCoreTest, Issue10RestartedAgentRecoversTheBindingFromTheAuthority) {
    // A restarted agent bound whatever CPS-looking card was present; now the one cpslockd verified.
    start();
    EXPECT_EQ(authority.asks, 1);
    // A swap during the restart window: another CPS in another reader binds nothing.
    core->onReaderEvent(cardEvent(ReaderEventType::CardInserted, kSlot1, CardKind::Cps3, "1111111111"));
    EXPECT_EQ(core->status().boundCards.size(), 1U);
    EXPECT_EQ(core->status().boundCards[0].serial, kSerial);
    EXPECT_EQ(core->status().boundCards[0].certSha256, kVerified.certSha256);
    bindCps();
    const AuditRecord* bound = sink.last("card-bound");
    ASSERT_NE(bound, nullptr);
    EXPECT_EQ(bound->field("serial"), kSerial);
    EXPECT_EQ(bound->field("reader"), kSlot0);
    core->onReaderEvent(cardEvent(ReaderEventType::CardRemoved, kSlot1, CardKind::Cps3, "1111111111"));
    EXPECT_EQ(fake->locks, 0);
    core->onReaderEvent(cardEvent(ReaderEventType::CardRemoved, kSlot0, CardKind::Cps3, kSerial));
    EXPECT_EQ(fake->locks, 1);
}

TEST_F(AgentCoreTest, Issue10UnverifiedCpsAtStartDoesNotBindAndLocksAfterTheGrace) {
    verifiedCard.reset();
    GuardSettings s = noIdle();
    s.requireCardGrace = 3s;
    start(s);
    core->onReaderEvent(cardEvent(ReaderEventType::CardInserted, kSlot0, CardKind::Cps3, kSerial));
    EXPECT_TRUE(core->status().boundCards.empty());
    EXPECT_NE(sink.last("card-not-verified"), nullptr);
    runTimersUntil(clock.now() + 3s);
    EXPECT_EQ(fake->locks, 1);
    EXPECT_EQ(sink.last("lock")->field("reason"), "no-card");
}

TEST_F(AgentCoreTest, Issue10AuthorityUnreachableCountsAsNoVerifiedCardAndIsAudited) {
    authority.answer.error = "connect /run/cpslockd.sock: No such file or directory";
    GuardSettings s = noIdle();
    s.requireCardGrace = 3s;
    start(s);
    // (the card answer is ignored when cpslockd says it could not be asked)
    authority.answer.card = kVerified;
    const AuditRecord* unavailable = sink.last("authority-unavailable");
    ASSERT_NE(unavailable, nullptr);
    EXPECT_EQ(unavailable->field("when"), "start");
    EXPECT_NE(unavailable->field("detail").find("cpslockd.sock"), std::string::npos);
    core->onReaderEvent(cardEvent(ReaderEventType::CardInserted, kSlot0, CardKind::Cps3, kSerial));
    EXPECT_TRUE(core->status().boundCards.empty());
    runTimersUntil(clock.now() + 3s);
    EXPECT_EQ(fake->locks, 1);
    EXPECT_EQ(sink.last("lock")->field("reason"), "no-card");
}

TEST_F(AgentCoreTest, CpslockdBackWithinTheGraceBindsTheVerifiedCardWithoutNewGrace) {
    authority.answer.error = "cpslockd restarting";
    GuardSettings s = noIdle();
    s.requireCardGrace = 5s;
    start(s);
    EXPECT_TRUE(core->authorityRetryPending());
    core->onReaderEvent(cardEvent(ReaderEventType::CardInserted, kSlot0, CardKind::Cps3, kSerial));
    clock.advance(2s);
    core->handleAuthorityRetry(); // still down: asked again later, audited once only
    EXPECT_TRUE(core->authorityRetryPending());
    authority.answer.error.clear();
    clock.advance(1s);
    core->handleAuthorityRetry();
    ASSERT_EQ(core->status().boundCards.size(), 1U);
    EXPECT_EQ(core->status().boundCards[0].serial, kSerial);
    EXPECT_FALSE(core->authorityRetryPending());
    std::size_t unavailable = 0;
    for (const auto& r : sink.records)
        unavailable += r.kind == "authority-unavailable" ? 1U : 0U;
    EXPECT_EQ(unavailable, 1U);
    runTimersUntil(clock.now() + 1h);
    EXPECT_EQ(fake->locks, 0);
    core->onReaderEvent(cardEvent(ReaderEventType::CardRemoved, kSlot0, CardKind::Cps3, kSerial));
    EXPECT_EQ(fake->locks, 1);
}

TEST_F(AgentCoreTest, CpslockdBackTooLateDoesNotUndoTheNoCardLock) {
    authority.answer.error = "cpslockd restarting";
    GuardSettings s = noIdle();
    s.requireCardGrace = 3s;
    start(s);
    runTimersUntil(clock.now() + 3s);
    EXPECT_EQ(fake->locks, 1);
    authority.answer.error.clear();
    core->handleAuthorityRetry();
    EXPECT_TRUE(core->status().boundCards.empty());
    EXPECT_FALSE(core->authorityRetryPending());
}

TEST_F(AgentCoreTest, CpslockdStillDownAfterTheRetryWindowIsNotAskedAgain) {
    authority.answer.error = "cpslockd down";
    GuardSettings s = noIdle();
    s.requireCard = false;
    start(s);
    const int asked = authority.asks;
    clock.advance(AgentCore::kAuthorityRetryWindow);
    core->handleAuthorityRetry();
    EXPECT_EQ(authority.asks, asked + 1);
    EXPECT_FALSE(core->authorityRetryPending());
}

TEST_F(AgentCoreTest, Issue10NoAuthorityWiredFailsClosed) {
    withAuthority = false;
    GuardSettings s = noIdle();
    s.requireCardGrace = 3s;
    start(s);
    ASSERT_NE(sink.last("authority-unavailable"), nullptr);
    core->onReaderEvent(cardEvent(ReaderEventType::CardInserted, kSlot0, CardKind::Cps3, kSerial));
    EXPECT_TRUE(core->status().boundCards.empty());
    runTimersUntil(clock.now() + 3s);
    EXPECT_EQ(fake->locks, 1);
}

TEST_F(AgentCoreTest, Issue10EveryUnlockAsksTheAuthorityAndEveryLockTellsIt) {
    start();
    bindCps();
    core->onReaderEvent(cardEvent(ReaderEventType::CardRemoved, kSlot0, CardKind::Cps3, kSerial));
    fake->answer(true);
    EXPECT_EQ(authority.locked, (std::vector<std::uint64_t>{1}));
    // Another professional unlocks with their card in the other reader (verification 2).
    core->onReaderEvent(cardEvent(ReaderEventType::CardInserted, kSlot1, CardKind::Cps4, "2222222222"));
    authority.answer.card = cpslock::VerifiedCard{kSlot1, "2222222222", "ab", "Dr Autre", 2};
    fake->unlock();
    EXPECT_EQ(authority.asks, 2);
    ASSERT_EQ(core->status().boundCards.size(), 1U);
    EXPECT_EQ(core->status().boundCards[0].serial, "2222222222");
    core->onReaderEvent(cardEvent(ReaderEventType::CardRemoved, kSlot1, CardKind::Cps4, "2222222222"));
    EXPECT_EQ(fake->locks, 2);
    fake->answer(true);
    EXPECT_EQ(authority.locked, (std::vector<std::uint64_t>{1, 2}));
}

TEST_F(AgentCoreTest, Issue10VerificationConsumedByALockNeverBindsAPasswordUnlock) {
    GuardSettings s = noIdle();
    s.requireCardGrace = 3s;
    start(s);
    bindCps();
    fake->lockedByDesktop(); // Super+L
    EXPECT_EQ(authority.locked, (std::vector<std::uint64_t>{1}));
    // A password unlock; cpslockd (wrongly) still answers verification 1: it opened an earlier unlock.
    fake->unlock();
    EXPECT_TRUE(core->status().boundCards.empty());
    runTimersUntil(clock.now() + 3s);
    EXPECT_EQ(fake->locks, 1);
    EXPECT_EQ(sink.last("lock")->field("reason"), "no-card");
}

TEST_F(AgentCoreTest, Issue10StartedInALockedSessionConsumesEarlierVerifications) {
    initialState = true;
    start();
    EXPECT_EQ(authority.locked, (std::vector<std::uint64_t>{1}));
    fake->unlock();
    EXPECT_TRUE(core->status().boundCards.empty());
}

// ---- stop (issue 10: SIGTERM ended the agent without locking) ---------------------------------------------

TEST_F(AgentCoreTest, Issue10SigtermInAnUnlockedSessionLocksThenQuits) {
    start();
    bindCps();
    int quits = 0;
    core->shutdown([&quits] { ++quits; });
    EXPECT_EQ(fake->locks, 1);
    EXPECT_EQ(quits, 0) << "must wait for the lock";
    EXPECT_EQ(sink.last("lock")->field("reason"), "agent-stopped");
    EXPECT_NE(sink.last("agent-stopping"), nullptr);
    fake->answer(true);
    EXPECT_EQ(quits, 1);
}

TEST_F(AgentCoreTest, SigtermInALockedSessionQuitsAtOnce) {
    initialState = true;
    start();
    int quits = 0;
    core->shutdown([&quits] { ++quits; });
    EXPECT_EQ(quits, 1);
    EXPECT_EQ(fake->locks, 0);
    EXPECT_EQ(sink.last("agent-stopping")->field("detail"), "session locked");
}

TEST_F(AgentCoreTest, SigtermDuringALogoutQuitsWithoutLocking) {
    start();
    bindCps();
    core->setSessionEndingCheck([] { return std::optional<std::string>("logind session State closing"); });
    int quits = 0;
    core->shutdown([&quits] { ++quits; });
    EXPECT_EQ(quits, 1);
    EXPECT_EQ(fake->locks, 0);
    EXPECT_NE(sink.last("agent-stopping")->field("detail").find("closing"), std::string::npos);
}

TEST_F(AgentCoreTest, SigtermWhenTheLockNeverHappensQuitsAfterTheTimeoutLoudly) {
    start();
    bindCps();
    int quits = 0;
    core->shutdown([&quits] { ++quits; });
    EXPECT_TRUE(core->quitPending());
    core->handleStopTimeout();
    EXPECT_EQ(quits, 1);
    EXPECT_EQ(sink.last("lock-failed")->field("detail"), "agent stopped before the session locked");
    EXPECT_EQ(sink.last("lock-failed")->severity, AuditRecord::Severity::Error);
}

TEST_F(AgentCoreTest, SecondSigtermQuitsAtOnce) {
    start();
    bindCps();
    int quits = 0;
    core->shutdown([&quits] { ++quits; });
    core->shutdown([&quits] { ++quits; });
    EXPECT_EQ(quits, 1);
}

// ---- lockers that come and go (issue 10: logind away at start) -------------------------------------------

TEST_F(AgentCoreTest, Issue10LockerThatAppearsLaterGetsThePendingLockAtOnce) {
    lockerUsable = false;
    initialState = std::nullopt;
    verifiedCard.reset();
    GuardSettings s = noIdle();
    s.requireCardGrace = 2s;
    std::vector<bool> working;
    start(s);
    core->setStatusHandler([&working](const cpslock::GuardStatus& st) { working.push_back(st.lockerWorking); });
    runTimersUntil(clock.now() + 2s);
    ASSERT_NE(sink.last("lock-failed"), nullptr);
    EXPECT_TRUE(core->retryPending());
    EXPECT_FALSE(core->lockerWorking());
    EXPECT_EQ(fake->locks, 0);

    fake->state = false;
    ASSERT_TRUE(fake->availability);
    fake->availability(true, "logind came back");
    EXPECT_EQ(fake->locks, 1) << "sent when the locker appeared, not at the next retry";
    const AuditRecord* available = sink.last("locker-available");
    ASSERT_NE(available, nullptr);
    EXPECT_EQ(available->field("locker"), "fake");
    fake->answer(true);
    EXPECT_EQ(core->status().session, SessionState::Locked);
    EXPECT_TRUE(core->lockerWorking());
    ASSERT_FALSE(working.empty());
    EXPECT_TRUE(working.back());
}

TEST_F(AgentCoreTest, LockerLeavingIsAuditedAsAnError) {
    start();
    fake->availability(false, "logind left the system bus");
    const AuditRecord* missing = sink.last("locker-missing");
    ASSERT_NE(missing, nullptr);
    EXPECT_EQ(missing->severity, AuditRecord::Severity::Error);
    EXPECT_FALSE(core->lockerWorking());
}

} // namespace
