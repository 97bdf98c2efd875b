// SPDX-License-Identifier: EUPL-1.2
#include "core/SessionGuard.h"
#include "tests/unit/TestReaderEvents.h"

#include "tests/unit/FakeClock.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using cpslock::AuditEvent;
using cpslock::AuditKind;
using cpslock::BoundCard;
using cpslock::CardKind;
using cpslock::Clock;
using cpslock::GuardActions;
using cpslock::GuardSettings;
using cpslock::GuardStatus;
using cpslock::LockReason;
using cpslock::ReaderEvent;
using cpslock::ReaderEventType;
using cpslock::RemovalAction;
using cpslock::ServiceLossAction;
using cpslock::SessionGuard;
using cpslock::SessionState;
using cpslock::test::FakeClock;

namespace {

const std::string kSlot1 = "Gemalto IDBridge K30 [CPS] 00 00";
const std::string kSlot2 = "Gemalto IDBridge K30 [Vitale] 00 01";
const std::string kSlot3 = "Identiv uTrust 3700 F 00 00";
const std::string kSerialA = "2500112233";
const std::string kSerialB = "2500445566";
const std::string kCertA = "5f1c0a7e9b3d4c2a8e6f1b0d9c7a5e3f2b1d0c9e8f7a6b5c4d3e2f1a0b9c8d7e";

/// Records every call, in order, as short strings ("lock:card-removed", "warn:30000", ...).
class RecordingActions final : public GuardActions {
public:
    void lock(LockReason reason) override { calls.push_back("lock:" + std::string(toString(reason))); }
    void logout(LockReason reason) override { calls.push_back("logout:" + std::string(toString(reason))); }
    void showIdleWarning(std::chrono::milliseconds remaining) override {
        calls.push_back("warn:" + std::to_string(remaining.count()));
    }
    void hideIdleWarning() override { calls.push_back("hide"); }
    void logoutToken(const std::string& reader) override { calls.push_back("token-logout:" + reader); }
    void remindCard() override { calls.push_back("remind"); }
    void audit(const AuditEvent& event) override { audits.push_back(event); }
    void statusChanged(const GuardStatus& status) override { statuses.push_back(status); }

    std::vector<std::string> withPrefix(const std::string& prefix) const {
        std::vector<std::string> out;
        std::copy_if(calls.begin(), calls.end(), std::back_inserter(out),
                     [&](const std::string& c) { return c.rfind(prefix, 0) == 0; });
        return out;
    }
    /// Every lock() and logout() call.
    std::vector<std::string> terminations() const {
        auto out = withPrefix("lock:");
        auto logouts = withPrefix("logout:");
        out.insert(out.end(), logouts.begin(), logouts.end());
        return out;
    }
    std::vector<AuditEvent> auditsOf(AuditKind kind) const {
        std::vector<AuditEvent> out;
        std::copy_if(audits.begin(), audits.end(), std::back_inserter(out),
                     [&](const AuditEvent& e) { return e.kind == kind; });
        return out;
    }
    void clear() {
        calls.clear();
        audits.clear();
        statuses.clear();
    }

    std::vector<std::string> calls;
    std::vector<AuditEvent> audits;
    std::vector<GuardStatus> statuses;
};

using cpslock::test::cardEvent;

ReaderEvent inserted(const std::string& reader, CardKind kind, const std::string& serial = {},
                     std::int64_t monoNs = 0) {
    return cardEvent(ReaderEventType::CardInserted, reader, kind, serial, monoNs);
}

ReaderEvent removed(const std::string& reader, CardKind kind, const std::string& serial = {}, std::int64_t monoNs = 0) {
    return cardEvent(ReaderEventType::CardRemoved, reader, kind, serial, monoNs);
}

ReaderEvent readerEvent(ReaderEventType type, const std::string& reader = {}) {
    ReaderEvent e;
    e.type = type;
    e.reader = reader;
    return e;
}

class SessionGuardTest : public ::testing::Test {
protected:
    void make(const GuardSettings& s = GuardSettings{}) {
        guard = std::make_unique<SessionGuard>(clock, actions, s);
        lastInput = clock.now();
    }

    /// The card cpslockd verified: card A in slot 1.
    static BoundCard verifiedA() { return BoundCard{kSlot1, kSerialA, kCertA}; }

    /// Settings without the idle lock, for tests about cards (so that long waits do not idle-lock).
    static GuardSettings noIdle() {
        GuardSettings s;
        s.idleTimeout = 0ms;
        return s;
    }

    /// Agent with the session unlocked and bound to the CPS3 in slot 1 that cpslockd verified; recorded
    /// calls cleared.
    void startBound(const GuardSettings& s = noIdle()) {
        make(s);
        guard->onReaderEvent(inserted(kSlot1, CardKind::Cps3, kSerialA));
        guard->onSessionUnlocked(verifiedA());
        ASSERT_EQ(guard->status().boundCards.size(), 1U);
        actions.clear();
    }

    /// The host's event loop: fires the guard's timer at each deadline up to `until`, querying the fake
    /// idle source (idle = time since lastInput) when the guard asks for a sample.
    void runUntil(Clock::TimePoint until) {
        for (int i = 0; i < 100000; ++i) {
            const auto next = guard->nextDeadline();
            if (!next || *next > until)
                break;
            if (*next > clock.now())
                clock.set(*next);
            if (hostSamplesIdle && guard->idleSampleDue()) {
                ++idleSamples;
                guard->onIdleTime(std::chrono::duration_cast<std::chrono::milliseconds>(clock.now() - lastInput));
            }
            guard->onTimer();
        }
        if (until > clock.now())
            clock.set(until);
    }
    void runFor(std::chrono::steady_clock::duration d) { runUntil(clock.now() + d); }

    /// The user touches the keyboard now (seen by the idle source, not by the guard).
    void userInput() { lastInput = clock.now(); }

    FakeClock clock;
    RecordingActions actions;
    std::unique_ptr<SessionGuard> guard;
    Clock::TimePoint lastInput{};
    bool hostSamplesIdle = true;
    int idleSamples = 0;
};

// ---- the session card ------------------------------------------------------------------------------

TEST_F(SessionGuardTest, SessionCardRemovedLocksOnceWithCardRemoved) {
    startBound();
    guard->onReaderEvent(removed(kSlot1, CardKind::Cps3, kSerialA, 123456789));

    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:card-removed"});
    const auto locks = actions.auditsOf(AuditKind::LockRequested);
    ASSERT_EQ(locks.size(), 1U);
    EXPECT_EQ(locks[0].reason, LockReason::CardRemoved);
    EXPECT_EQ(locks[0].reader, kSlot1);
    EXPECT_EQ(locks[0].serial, kSerialA);
    EXPECT_EQ(locks[0].cardKind, CardKind::Cps3);
    EXPECT_EQ(locks[0].eventMonoNs, 123456789);
    EXPECT_EQ(locks[0].latency(123456789 + 3'000'000), std::chrono::nanoseconds(3ms));
    EXPECT_TRUE(guard->status().lockRequested);
    EXPECT_EQ(guard->status().lastLockReason, LockReason::CardRemoved);
}

TEST_F(SessionGuardTest, NothingAfterTheLockProducesASecondLock) {
    startBound();
    guard->onReaderEvent(removed(kSlot1, CardKind::Cps3, kSerialA));
    // Duplicate removal, a swap, the reader going, pcscd dying, idle, timers: the lock is already asked.
    guard->onReaderEvent(removed(kSlot1, CardKind::Cps3, kSerialA));
    guard->onReaderEvent(inserted(kSlot1, CardKind::Other));
    guard->onReaderEvent(readerEvent(ReaderEventType::ReaderRemoved, kSlot1));
    guard->onReaderEvent(readerEvent(ReaderEventType::ServiceLost));
    guard->onIdleTime(1h);
    runFor(1h);
    guard->onTimer();

    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:card-removed"});
    EXPECT_EQ(actions.auditsOf(AuditKind::LockRequested).size(), 1U);
    EXPECT_FALSE(guard->nextDeadline().has_value());
}

TEST_F(SessionGuardTest, LockedSessionDropsBindingAndNextUnlockBindsAnew) {
    startBound();
    guard->onReaderEvent(removed(kSlot1, CardKind::Cps3, kSerialA));
    guard->onSessionLocked();
    EXPECT_TRUE(guard->status().boundCards.empty());
    EXPECT_FALSE(guard->status().lockRequested);

    // Another professional unlocks with their card in the other reader.
    guard->onReaderEvent(inserted(kSlot3, CardKind::Cps4, kSerialB));
    guard->onSessionUnlocked(BoundCard{kSlot3, kSerialB, ""});
    ASSERT_EQ(guard->status().boundCards.size(), 1U);
    EXPECT_EQ(guard->status().boundCards[0], (BoundCard{kSlot3, kSerialB, ""}));
    actions.clear();

    // The first card's reader is no longer the session's: a card there does nothing.
    guard->onReaderEvent(inserted(kSlot1, CardKind::Cps3, kSerialA));
    guard->onReaderEvent(removed(kSlot1, CardKind::Cps3, kSerialA));
    EXPECT_TRUE(actions.terminations().empty());

    guard->onReaderEvent(removed(kSlot3, CardKind::Cps4, kSerialB));
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:card-removed"});
}

TEST_F(SessionGuardTest, CardEventsWhileLockedOrUnknownDecideNothing) {
    make(noIdle());
    guard->onReaderEvent(inserted(kSlot1, CardKind::Cps3, kSerialA));
    guard->onReaderEvent(removed(kSlot1, CardKind::Cps3, kSerialA));
    runFor(1h);
    guard->onSessionLocked();
    guard->onReaderEvent(inserted(kSlot1, CardKind::Cps3, kSerialA));
    guard->onReaderEvent(removed(kSlot1, CardKind::Cps3, kSerialA));
    guard->onReaderEvent(readerEvent(ReaderEventType::ServiceLost));
    runFor(1h);
    EXPECT_TRUE(actions.terminations().empty());
    EXPECT_FALSE(guard->nextDeadline().has_value());
}

// ---- other cards -----------------------------------------------------------------------------------

TEST_F(SessionGuardTest, VitaleInSecondSlotDoesNothing) {
    startBound();
    guard->onReaderEvent(inserted(kSlot2, CardKind::Vitale));
    guard->onReaderEvent(removed(kSlot2, CardKind::Vitale));
    guard->onReaderEvent(inserted(kSlot2, CardKind::Vitale));
    EXPECT_TRUE(actions.calls.empty());
    EXPECT_TRUE(actions.audits.empty());
    ASSERT_EQ(guard->status().cards.size(), 2U);
    EXPECT_EQ(guard->status().cards[1].kind, CardKind::Vitale);
}

TEST_F(SessionGuardTest, BankCardAndSecondCpsElsewhereDoNothing) {
    startBound();
    guard->onReaderEvent(inserted(kSlot3, CardKind::Other));
    guard->onReaderEvent(removed(kSlot3, CardKind::Other));
    guard->onReaderEvent(inserted(kSlot3, CardKind::Unreadable));
    guard->onReaderEvent(removed(kSlot3, CardKind::Unreadable));
    guard->onReaderEvent(inserted(kSlot3, CardKind::Cps4, kSerialB));
    guard->onReaderEvent(removed(kSlot3, CardKind::Cps4, kSerialB));
    guard->onReaderEvent(readerEvent(ReaderEventType::ReaderRemoved, kSlot3));
    EXPECT_TRUE(actions.calls.empty());
    EXPECT_TRUE(actions.audits.empty());
    EXPECT_EQ(guard->status().boundCards.size(), 1U);
}

TEST_F(SessionGuardTest, ContactlessCpsNeverBindsNorLocksOnRemoval) {
    make(noIdle());
    guard->onReaderEvent(inserted(kSlot1, CardKind::Cps3, kSerialA));
    guard->onReaderEvent(inserted(kSlot3, CardKind::Cps3Contactless, kSerialA));
    guard->onSessionUnlocked(verifiedA());
    ASSERT_EQ(guard->status().boundCards.size(), 1U);
    EXPECT_EQ(guard->status().boundCards[0].reader, kSlot1);
    actions.clear();
    guard->onReaderEvent(removed(kSlot3, CardKind::Cps3Contactless, kSerialA));
    EXPECT_TRUE(actions.terminations().empty());
}

// ---- swap and reader ---------------------------------------------------------------------------------

TEST_F(SessionGuardTest, SwapInSameReaderLocksOnceAtTheRemoval) {
    startBound();
    guard->onReaderEvent(removed(kSlot1, CardKind::Cps3, kSerialA));
    guard->onReaderEvent(inserted(kSlot1, CardKind::Cps3, kSerialB));
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:card-removed"});
}

TEST_F(SessionGuardTest, SwapLocksWithCardSwappedWhenRemovalActionIsNone) {
    GuardSettings s = noIdle();
    s.removalAction = RemovalAction::None;
    startBound(s);
    guard->onReaderEvent(removed(kSlot1, CardKind::Cps3, kSerialA));
    EXPECT_TRUE(actions.terminations().empty());
    guard->onReaderEvent(inserted(kSlot1, CardKind::Cps3, kSerialB, 42));
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:card-swapped"});
    const auto locks = actions.auditsOf(AuditKind::LockRequested);
    ASSERT_EQ(locks.size(), 1U);
    EXPECT_EQ(locks[0].serial, kSerialB);
    EXPECT_EQ(locks[0].eventMonoNs, 42);
}

TEST_F(SessionGuardTest, NonCpsCardInSessionReaderIsASwap) {
    GuardSettings s = noIdle();
    s.removalAction = RemovalAction::None;
    startBound(s);
    guard->onReaderEvent(removed(kSlot1, CardKind::Cps3, kSerialA));
    guard->onReaderEvent(inserted(kSlot1, CardKind::Vitale));
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:card-swapped"});
}

TEST_F(SessionGuardTest, SameCardBackUnderRemovalActionNoneKeepsSession) {
    GuardSettings s = noIdle();
    s.removalAction = RemovalAction::None;
    startBound(s);
    guard->onReaderEvent(removed(kSlot1, CardKind::Cps3, kSerialA));
    guard->onReaderEvent(inserted(kSlot1, CardKind::Cps3, kSerialA));
    guard->onReaderEvent(removed(kSlot1, CardKind::Cps3, kSerialA));
    runFor(1h);
    EXPECT_TRUE(actions.terminations().empty());
    EXPECT_EQ(actions.auditsOf(AuditKind::RemovalIgnored).size(), 2U);
}

TEST_F(SessionGuardTest, InsertionOverThePresentSessionCardIsASwap) {
    // A missed removal (should not happen): a different card reported in the session reader still locks.
    startBound();
    guard->onReaderEvent(inserted(kSlot1, CardKind::Cps4, kSerialB));
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:card-swapped"});
}

TEST_F(SessionGuardTest, ContactlessVersionOfSessionCardInItsReaderIsASwap) {
    startBound();
    guard->onReaderEvent(inserted(kSlot1, CardKind::Cps3Contactless, kSerialA));
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:card-swapped"});
}

TEST_F(SessionGuardTest, SessionReaderUnpluggedLocksOnce) {
    startBound();
    // The monitor reports the card first, then the reader.
    guard->onReaderEvent(removed(kSlot1, CardKind::Cps3, kSerialA));
    guard->onReaderEvent(readerEvent(ReaderEventType::ReaderRemoved, kSlot1));
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:card-removed"});
}

TEST_F(SessionGuardTest, SessionReaderRemovedWithoutCardEventLocksReaderRemoved) {
    startBound();
    guard->onReaderEvent(readerEvent(ReaderEventType::ReaderRemoved, kSlot1));
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:reader-removed"});
    EXPECT_TRUE(guard->status().cards.empty());
}

TEST_F(SessionGuardTest, SessionReaderRemovedLocksEvenUnderRemovalActionNone) {
    GuardSettings s = noIdle();
    s.removalAction = RemovalAction::None;
    startBound(s);
    guard->onReaderEvent(removed(kSlot1, CardKind::Cps3, kSerialA));
    guard->onReaderEvent(readerEvent(ReaderEventType::ReaderRemoved, kSlot1));
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:reader-removed"});
}

// ---- removal action ----------------------------------------------------------------------------------

TEST_F(SessionGuardTest, RemovalActionLogoutLogsOutOnce) {
    GuardSettings s = noIdle();
    s.removalAction = RemovalAction::Logout;
    startBound(s);
    guard->onReaderEvent(removed(kSlot1, CardKind::Cps3, kSerialA));
    guard->onReaderEvent(readerEvent(ReaderEventType::ReaderRemoved, kSlot1));
    runFor(1h);
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"logout:card-removed"});
    ASSERT_EQ(actions.auditsOf(AuditKind::LogoutRequested).size(), 1U);
    EXPECT_EQ(actions.auditsOf(AuditKind::LogoutRequested)[0].reason, LockReason::CardRemoved);
}

TEST_F(SessionGuardTest, RemovalActionNoneOnlyAudits) {
    GuardSettings s = noIdle();
    s.removalAction = RemovalAction::None;
    startBound(s);
    guard->onReaderEvent(removed(kSlot1, CardKind::Cps3, kSerialA, 7));
    runFor(1h); // require_card does not apply to a bound session
    EXPECT_TRUE(actions.terminations().empty());
    const auto ignored = actions.auditsOf(AuditKind::RemovalIgnored);
    ASSERT_EQ(ignored.size(), 1U);
    EXPECT_EQ(ignored[0].reason, LockReason::CardRemoved);
    EXPECT_EQ(ignored[0].serial, kSerialA);
}

// ---- binding at unlock ---------------------------------------------------------------------------------

TEST_F(SessionGuardTest, SeveralCpsWithoutVerifiedCardBindNone) {
    // Was: every CPS present bound. Now nothing cpslockd did not verify binds (issue 10, finding 2).
    make(noIdle());
    guard->onReaderEvent(inserted(kSlot1, CardKind::Cps3, kSerialA));
    guard->onReaderEvent(inserted(kSlot3, CardKind::Cps4, kSerialB));
    guard->onSessionUnlocked();
    EXPECT_TRUE(guard->status().boundCards.empty());
    EXPECT_TRUE(actions.auditsOf(AuditKind::CardBound).empty());
    guard->onReaderEvent(removed(kSlot3, CardKind::Cps4, kSerialB));
    EXPECT_TRUE(actions.terminations().empty());
    runFor(10s);
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:no-card"});
}

TEST_F(SessionGuardTest, VerifiedCardBindsOnlyThatCard) {
    make(noIdle());
    guard->onReaderEvent(inserted(kSlot1, CardKind::Cps3, kSerialA));
    guard->onReaderEvent(inserted(kSlot3, CardKind::Cps4, kSerialB));
    // A reader name handed over blank-padded (PKCS#11 slot description) still names the same reader.
    guard->onSessionUnlocked(BoundCard{kSlot3 + "   ", kSerialB, "ab12"});
    ASSERT_EQ(guard->status().boundCards.size(), 1U);
    EXPECT_EQ(guard->status().boundCards[0], (BoundCard{kSlot3, kSerialB, "ab12"}));
    guard->onReaderEvent(removed(kSlot1, CardKind::Cps3, kSerialA));
    EXPECT_TRUE(actions.terminations().empty());
    guard->onReaderEvent(removed(kSlot3, CardKind::Cps4, kSerialB));
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:card-removed"});
}

TEST_F(SessionGuardTest, VerifiedCardNotYetSeenBindsWhenItArrivesAndNoOtherCardDoes) {
    make(noIdle());
    guard->onSessionUnlocked(BoundCard{kSlot3, kSerialB, ""});
    EXPECT_TRUE(guard->status().noCardLockAt.has_value());
    guard->onReaderEvent(inserted(kSlot1, CardKind::Cps3, kSerialA)); // not the verified card
    EXPECT_TRUE(guard->status().noCardLockAt.has_value());
    guard->onReaderEvent(inserted(kSlot3, CardKind::Cps4, kSerialB));
    EXPECT_EQ(guard->status().boundCards[0].reader, kSlot3);
    EXPECT_FALSE(guard->status().noCardLockAt.has_value());
    ASSERT_EQ(actions.auditsOf(AuditKind::CardBound).size(), 1U);
    EXPECT_EQ(actions.auditsOf(AuditKind::CardBound)[0].serial, kSerialB);
    runFor(1h);
    EXPECT_TRUE(actions.terminations().empty());
    guard->onReaderEvent(removed(kSlot1, CardKind::Cps3, kSerialA));
    EXPECT_TRUE(actions.terminations().empty());
}

TEST_F(SessionGuardTest, VerifiedCardThatNeverShowsLocksEvenWithoutRequireCard) {
    GuardSettings s = noIdle();
    s.requireCard = false;
    make(s);
    guard->onReaderEvent(inserted(kSlot1, CardKind::Cps3, kSerialA));
    guard->onSessionUnlocked(BoundCard{kSlot3, kSerialB, ""});
    runFor(s.requireCardGrace - 1ms);
    EXPECT_TRUE(actions.terminations().empty());
    runFor(1ms);
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:no-card"});
}

// ---- binding: issue 10 regressions --------------------------------------------------------------------

TEST_F(SessionGuardTest, Issue10PasswordUnlockWithUnverifiedCpsLookingCardLocksAfterGrace) {
    // A keyless simulated card answering a CPS ATR and a deny-listed serial kept a password-unlocked
    // session open. It binds nothing and does not satisfy require_card.
    make(noIdle());
    guard->onReaderEvent(inserted(kSlot1, CardKind::Cps3, kSerialA));
    guard->onSessionUnlocked();
    EXPECT_TRUE(guard->status().boundCards.empty());
    runFor(9999ms);
    EXPECT_TRUE(actions.terminations().empty());
    runFor(1ms);
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:no-card"});
    EXPECT_TRUE(actions.auditsOf(AuditKind::CardBound).empty());
}

TEST_F(SessionGuardTest, Issue10UnverifiedCardInsertedDuringTheGraceIsAuditedAndAvertsNothing) {
    make(noIdle());
    guard->onSessionUnlocked();
    runFor(5s);
    guard->onReaderEvent(inserted(kSlot1, CardKind::Cps4, kSerialA, 77));
    EXPECT_TRUE(guard->status().boundCards.empty());
    EXPECT_TRUE(guard->status().noCardLockAt.has_value());
    const auto notVerified = actions.auditsOf(AuditKind::CardNotVerified);
    ASSERT_EQ(notVerified.size(), 1U);
    EXPECT_EQ(notVerified[0].serial, kSerialA);
    EXPECT_EQ(notVerified[0].eventMonoNs, 77);
    EXPECT_TRUE(actions.auditsOf(AuditKind::LockAverted).empty());
    runFor(5s);
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:no-card"});
}

TEST_F(SessionGuardTest, Issue10VerifiedCardPulledDuringTheUnlockLocksWithoutRequireCard) {
    // The card left its reader between the verification and the unlock report: was bound to nothing
    // and never locked with require_card off.
    GuardSettings s = noIdle();
    s.requireCard = false;
    make(s);
    guard->onReaderEvent(inserted(kSlot1, CardKind::Cps3, kSerialA));
    guard->onReaderEvent(removed(kSlot1, CardKind::Cps3, kSerialA));
    guard->onSessionUnlocked(verifiedA());
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:card-removed"});
    ASSERT_EQ(actions.auditsOf(AuditKind::LockRequested).size(), 1U);
    EXPECT_EQ(actions.auditsOf(AuditKind::LockRequested)[0].serial, kSerialA);
}

TEST_F(SessionGuardTest, Issue10VerifiedCardNotInItsReaderLocksNoCardWithoutRequireCard) {
    // Never reported in its reader (the monitor shows it nowhere, or in another reader): no-card.
    GuardSettings s = noIdle();
    s.requireCard = false;
    make(s);
    guard->onReaderEvent(inserted(kSlot3, CardKind::Cps3, kSerialA)); // same serial, another reader
    guard->onSessionUnlocked(verifiedA());
    EXPECT_EQ(guard->status().noCardLockAt, clock.now() + s.requireCardGrace);
    runFor(s.requireCardGrace);
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:no-card"});
}

TEST_F(SessionGuardTest, Issue10AnotherCardInTheVerifiedReaderAtTheUnlockLocksCardSwapped) {
    make(noIdle());
    guard->onReaderEvent(inserted(kSlot1, CardKind::Cps3, kSerialB));
    guard->onSessionUnlocked(verifiedA());
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:card-swapped"});
}

TEST_F(SessionGuardTest, Issue10RestartedAgentBindsTheVerifiedCardWhenTheMonitorReportsIt) {
    // A restarted agent asks cpslockd before its monitor reported anything: the verified card is
    // waited for in its reader; another card reported there first (a swap during the restart) locks.
    make(noIdle());
    guard->onSessionUnlocked(verifiedA());
    guard->onReaderEvent(inserted(kSlot1, CardKind::Cps3, kSerialA));
    ASSERT_EQ(guard->status().boundCards.size(), 1U);
    EXPECT_EQ(actions.auditsOf(AuditKind::CardBound).size(), 1U);
    runFor(1h);
    EXPECT_TRUE(actions.terminations().empty());

    make(noIdle());
    actions.clear();
    guard->onSessionUnlocked(verifiedA());
    guard->onReaderEvent(inserted(kSlot1, CardKind::Cps3, kSerialB));
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:card-swapped"});
}

TEST_F(SessionGuardTest, Issue10VerifiedContactlessCardNeverBinds) {
    make(noIdle());
    guard->onReaderEvent(inserted(kSlot3, CardKind::Cps3Contactless, kSerialA));
    guard->onSessionUnlocked(BoundCard{kSlot3, kSerialA, ""});
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:card-swapped"});
}

TEST_F(SessionGuardTest, Issue10IncompleteVerifiedCardCountsAsNone) {
    make(noIdle());
    guard->onReaderEvent(inserted(kSlot1, CardKind::Cps3, kSerialA));
    guard->onSessionUnlocked(BoundCard{"", kSerialA, kCertA});
    EXPECT_TRUE(guard->status().boundCards.empty());
    ASSERT_EQ(actions.auditsOf(AuditKind::SessionUnlocked).size(), 1U);
    EXPECT_NE(actions.auditsOf(AuditKind::SessionUnlocked)[0].detail.find("incomplete"), std::string::npos);
    runFor(10s);
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:no-card"});
}

TEST_F(SessionGuardTest, Issue10VerifiedReaderRemovedBeforeTheCardWasReportedLocks) {
    make(noIdle());
    guard->onSessionUnlocked(verifiedA());
    guard->onReaderEvent(readerEvent(ReaderEventType::ReaderRemoved, kSlot1));
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:reader-removed"});
}

TEST_F(SessionGuardTest, VerifiedCardArrivingLateBindsWithinTheGraceOfTheUnlock) {
    // cpslockd could not be asked at the unlock and answers later: same rules, same grace.
    make(noIdle());
    guard->onReaderEvent(inserted(kSlot1, CardKind::Cps3, kSerialA));
    guard->onSessionUnlocked();
    runFor(4s);
    guard->onVerifiedCard(verifiedA());
    ASSERT_EQ(guard->status().boundCards.size(), 1U);
    EXPECT_FALSE(guard->status().noCardLockAt.has_value());
    EXPECT_EQ(actions.auditsOf(AuditKind::LockAverted).size(), 1U);
    // A second answer does not rebind.
    guard->onVerifiedCard(BoundCard{kSlot3, kSerialB, ""});
    EXPECT_EQ(guard->status().boundCards[0].serial, kSerialA);
    runFor(1h);
    EXPECT_TRUE(actions.terminations().empty());
    guard->onReaderEvent(removed(kSlot1, CardKind::Cps3, kSerialA));
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:card-removed"});
}

TEST_F(SessionGuardTest, VerifiedCardArrivingLateButNotInItsReaderKeepsTheUnlockDeadline) {
    make(noIdle());
    guard->onSessionUnlocked();
    const auto deadline = guard->status().noCardLockAt;
    runFor(4s);
    guard->onVerifiedCard(verifiedA());
    EXPECT_EQ(guard->status().noCardLockAt, deadline);
    runFor(6s);
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:no-card"});
    guard->onVerifiedCard(verifiedA()); // too late: the lock stands
    EXPECT_TRUE(guard->status().boundCards.size() <= 1U);
    EXPECT_EQ(actions.terminations().size(), 1U);
}

TEST_F(SessionGuardTest, Issue10BindingIsOnlyTheVerifiedCardOfTheCurrentUnlock) {
    // Bound to A; locked; a password unlock (cpslockd has no card for it) does not inherit A.
    startBound();
    guard->onSessionLocked();
    guard->onSessionUnlocked();
    EXPECT_TRUE(guard->status().boundCards.empty());
    runFor(10s);
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:no-card"});
}

TEST_F(SessionGuardTest, DuplicateUnlockReportDoesNotRestartTheGrace) {
    make(noIdle());
    guard->onSessionUnlocked();
    runFor(8s);
    guard->onSessionUnlocked();
    runFor(2s);
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:no-card"});
}

// ---- require_card ------------------------------------------------------------------------------------

TEST_F(SessionGuardTest, RequireCardLocksAfterGraceNotBefore) {
    make(noIdle());
    guard->onSessionUnlocked(); // password unlock, agent started late or restarted: no card
    ASSERT_EQ(guard->nextDeadline(), clock.now() + 10s);
    EXPECT_EQ(guard->status().noCardLockAt, clock.now() + 10s);
    runFor(9999ms);
    EXPECT_TRUE(actions.terminations().empty());
    runFor(1ms);
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:no-card"});
    runFor(1h);
    EXPECT_EQ(actions.terminations().size(), 1U);
}

TEST_F(SessionGuardTest, RequireCardCancelledByTheVerifiedCardWhichIsThenBound) {
    // Was: any CPS inserted cancelled the countdown and bound. Now only the verified card does.
    make(noIdle());
    guard->onSessionUnlocked(verifiedA());
    runFor(9s);
    guard->onReaderEvent(inserted(kSlot1, CardKind::Cps3, kSerialA, 99));
    EXPECT_FALSE(guard->status().noCardLockAt.has_value());
    ASSERT_EQ(actions.auditsOf(AuditKind::LockAverted).size(), 1U);
    EXPECT_EQ(actions.auditsOf(AuditKind::LockAverted)[0].reason, LockReason::NoCard);
    runFor(1h);
    EXPECT_TRUE(actions.terminations().empty());
    ASSERT_EQ(guard->status().boundCards.size(), 1U);
    EXPECT_EQ(guard->status().boundCards[0].serial, kSerialA);
    guard->onReaderEvent(removed(kSlot1, CardKind::Cps3, kSerialA));
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:card-removed"});
}

TEST_F(SessionGuardTest, RequireCardIgnoresContactlessVitaleAndOtherCards) {
    make(noIdle());
    guard->onReaderEvent(inserted(kSlot1, CardKind::Cps3Contactless, kSerialA));
    guard->onReaderEvent(inserted(kSlot2, CardKind::Vitale));
    guard->onSessionUnlocked();
    guard->onReaderEvent(inserted(kSlot3, CardKind::Unreadable));
    EXPECT_TRUE(guard->status().boundCards.empty());
    runFor(10s);
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:no-card"});
}

TEST_F(SessionGuardTest, CardArrivingAfterAMissedDeadlineDoesNotUndoTheLock) {
    make(noIdle());
    guard->onSessionUnlocked();
    clock.advance(11s); // the host's timer fired late
    guard->onReaderEvent(inserted(kSlot1, CardKind::Cps3, kSerialA));
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:no-card"});
}

TEST_F(SessionGuardTest, WithoutRequireCardAPasswordSessionStaysAndBindsNoLaterCard) {
    // Was: a later CPS bound the session. A card nobody verified binds nothing: its removal does nothing.
    GuardSettings s = noIdle();
    s.requireCard = false;
    make(s);
    guard->onSessionUnlocked();
    EXPECT_FALSE(guard->nextDeadline().has_value());
    runFor(1h);
    EXPECT_TRUE(actions.terminations().empty());
    guard->onReaderEvent(inserted(kSlot1, CardKind::Cps3, kSerialA));
    EXPECT_TRUE(guard->status().boundCards.empty());
    guard->onReaderEvent(removed(kSlot1, CardKind::Cps3, kSerialA));
    EXPECT_TRUE(actions.terminations().empty());
}

// ---- pcscd lost --------------------------------------------------------------------------------------

TEST_F(SessionGuardTest, ServiceLostLocksAfterGraceNotBefore) {
    startBound();
    guard->onReaderEvent(readerEvent(ReaderEventType::ServiceLost));
    EXPECT_FALSE(guard->status().serviceUp);
    EXPECT_TRUE(guard->status().cards.empty());
    EXPECT_EQ(guard->status().serviceLockAt, clock.now() + 5s);
    runFor(4999ms);
    EXPECT_TRUE(actions.terminations().empty());
    runFor(1ms);
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:service-lost"});
    runFor(1h);
    EXPECT_EQ(actions.terminations().size(), 1U);
}

TEST_F(SessionGuardTest, ServiceBackWithSameCardInSameReaderWithinGraceKeepsSession) {
    startBound();
    guard->onReaderEvent(readerEvent(ReaderEventType::ServiceLost));
    runFor(3s);
    guard->onReaderEvent(readerEvent(ReaderEventType::ServiceRestored));
    guard->onReaderEvent(readerEvent(ReaderEventType::ReaderAdded, kSlot1));
    EXPECT_TRUE(guard->status().serviceLockAt.has_value()); // still blind to the card
    guard->onReaderEvent(inserted(kSlot1, CardKind::Cps3, kSerialA));
    EXPECT_FALSE(guard->status().serviceLockAt.has_value());
    runFor(1h);
    EXPECT_TRUE(actions.terminations().empty());
    ASSERT_EQ(actions.auditsOf(AuditKind::LockAverted).size(), 1U);
    EXPECT_EQ(actions.auditsOf(AuditKind::LockAverted)[0].reason, LockReason::ServiceLost);
    // Still bound: its removal locks.
    guard->onReaderEvent(removed(kSlot1, CardKind::Cps3, kSerialA));
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:card-removed"});
}

TEST_F(SessionGuardTest, ServiceBackWithAnotherCardInSessionReaderLocksAtOnce) {
    startBound();
    guard->onReaderEvent(readerEvent(ReaderEventType::ServiceLost));
    runFor(1s);
    guard->onReaderEvent(readerEvent(ReaderEventType::ServiceRestored));
    guard->onReaderEvent(inserted(kSlot1, CardKind::Cps3, kSerialB));
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:card-swapped"});
}

TEST_F(SessionGuardTest, ServiceBackWithSessionCardInAnotherReaderStillLocks) {
    startBound();
    guard->onReaderEvent(readerEvent(ReaderEventType::ServiceLost));
    runFor(1s);
    guard->onReaderEvent(readerEvent(ReaderEventType::ServiceRestored));
    guard->onReaderEvent(readerEvent(ReaderEventType::ReaderAdded, kSlot1)); // the monitor lists readers first
    guard->onReaderEvent(inserted(kSlot3, CardKind::Cps3, kSerialA));
    runFor(1500ms);
    EXPECT_TRUE(actions.terminations().empty());
    runFor(500ms); // restore + kRestoreSettle, before the service grace
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:card-removed"});
}

TEST_F(SessionGuardTest, SessionReaderGoneAfterTheServiceCameBackLocksReaderRemoved) {
    // Unplugged while pcscd was away: no reader-removed event can come (the monitor forgot every
    // reader at the loss), pcscd simply no longer lists it. The session card shows up in another reader.
    GuardSettings s = noIdle();
    s.removalAction = RemovalAction::None; // the reader is part of the binding: locks all the same
    s.serviceLossAction = ServiceLossAction::None;
    startBound(s);
    guard->onReaderEvent(readerEvent(ReaderEventType::ServiceLost));
    runFor(1s);
    guard->onReaderEvent(readerEvent(ReaderEventType::ServiceRestored));
    guard->onReaderEvent(readerEvent(ReaderEventType::ReaderAdded, kSlot3));
    guard->onReaderEvent(inserted(kSlot3, CardKind::Cps3, kSerialA));
    runFor(SessionGuard::kRestoreSettle - 1ms);
    EXPECT_TRUE(actions.terminations().empty());
    runFor(1ms);
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:reader-removed"});
}

TEST_F(SessionGuardTest, SessionReaderListedAgainUnderRemovalActionNoneKeepsTheSession) {
    // The reader is back but empty: removal action none decides (the card left while blind).
    GuardSettings s = noIdle();
    s.removalAction = RemovalAction::None;
    s.serviceLossAction = ServiceLossAction::None;
    startBound(s);
    guard->onReaderEvent(readerEvent(ReaderEventType::ServiceLost));
    runFor(1s);
    guard->onReaderEvent(readerEvent(ReaderEventType::ServiceRestored));
    guard->onReaderEvent(readerEvent(ReaderEventType::ReaderAdded, kSlot1));
    runFor(SessionGuard::kRestoreSettle + 1h);
    EXPECT_TRUE(actions.terminations().empty());
}

TEST_F(SessionGuardTest, ServiceBackButCardNotReportedLocksAtGrace) {
    startBound();
    guard->onReaderEvent(readerEvent(ReaderEventType::ServiceLost));
    runFor(4s);
    guard->onReaderEvent(readerEvent(ReaderEventType::ServiceRestored));
    runFor(999ms);
    EXPECT_TRUE(actions.terminations().empty());
    runFor(1ms);
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:service-lost"});
}

TEST_F(SessionGuardTest, ServiceLossActionNoneWaitsThenAppliesRemovalIfCardGone) {
    GuardSettings s = noIdle();
    s.serviceLossAction = ServiceLossAction::None;
    startBound(s);
    guard->onReaderEvent(readerEvent(ReaderEventType::ServiceLost));
    EXPECT_FALSE(guard->nextDeadline().has_value());
    runFor(1h);
    EXPECT_TRUE(actions.terminations().empty());
    guard->onReaderEvent(readerEvent(ReaderEventType::ServiceRestored));
    guard->onReaderEvent(readerEvent(ReaderEventType::ReaderAdded, kSlot1));
    EXPECT_EQ(guard->nextDeadline(), clock.now() + SessionGuard::kRestoreSettle);
    runFor(SessionGuard::kRestoreSettle);
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:card-removed"});
}

TEST_F(SessionGuardTest, ServiceLossActionNoneKeepsSessionWhenCardComesBack) {
    GuardSettings s = noIdle();
    s.serviceLossAction = ServiceLossAction::None;
    startBound(s);
    guard->onReaderEvent(readerEvent(ReaderEventType::ServiceLost));
    runFor(10min);
    guard->onReaderEvent(readerEvent(ReaderEventType::ServiceRestored));
    guard->onReaderEvent(inserted(kSlot1, CardKind::Cps3, kSerialA));
    runFor(1h);
    EXPECT_TRUE(actions.terminations().empty());
}

TEST_F(SessionGuardTest, UnboundSessionServiceBackWithinGraceDoesNotLock) {
    GuardSettings s = noIdle();
    s.requireCard = false;
    make(s);
    guard->onSessionUnlocked();
    guard->onReaderEvent(readerEvent(ReaderEventType::ServiceLost));
    runFor(2s);
    guard->onReaderEvent(readerEvent(ReaderEventType::ServiceRestored));
    runFor(1h);
    EXPECT_TRUE(actions.terminations().empty());
}

TEST_F(SessionGuardTest, UnlockWhileServiceDownLocksAfterGraceFromUnlock) {
    GuardSettings s = noIdle();
    s.requireCardGrace = 1h; // isolate the service rule
    make(s);
    guard->onReaderEvent(readerEvent(ReaderEventType::ServiceLost));
    runFor(1h);
    guard->onSessionUnlocked();
    runFor(4s);
    EXPECT_TRUE(actions.terminations().empty());
    runFor(1s);
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:service-lost"});
}

TEST_F(SessionGuardTest, ServiceLossGraceZeroLocksAtOnce) {
    GuardSettings s = noIdle();
    s.serviceLossGrace = 0ms;
    startBound(s);
    guard->onReaderEvent(readerEvent(ReaderEventType::ServiceLost));
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:service-lost"});
}

// ---- idle --------------------------------------------------------------------------------------------

TEST_F(SessionGuardTest, IdleWarnsAtTimeoutMinusWarningAndLocksAtTimeout) {
    GuardSettings s; // 10 min, warning 30 s
    s.requireCard = false;
    make(s);
    guard->onSessionUnlocked();
    userInput();
    runFor(9min + 29s);
    EXPECT_TRUE(actions.withPrefix("warn:").empty());
    runFor(1s);
    ASSERT_EQ(actions.withPrefix("warn:"), std::vector<std::string>{"warn:30000"});
    EXPECT_EQ(guard->status().idleLockAt, clock.now() + 30s);
    EXPECT_EQ(actions.auditsOf(AuditKind::IdleWarning).size(), 1U);
    runFor(29s);
    EXPECT_EQ(actions.withPrefix("warn:").size(), 30U); // updated each second
    EXPECT_EQ(actions.withPrefix("warn:").back(), "warn:1000");
    EXPECT_TRUE(actions.terminations().empty());
    runFor(1s);
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:idle"});
    EXPECT_EQ(actions.calls.back(), "hide");
    EXPECT_FALSE(guard->status().idleLockAt.has_value());
    // No card in the reader: no token logout, no reminder.
    EXPECT_TRUE(actions.withPrefix("token-logout:").empty());
    EXPECT_TRUE(actions.withPrefix("remind").empty());
}

TEST_F(SessionGuardTest, IdleLockWithCardInsideLogsTokenOutAndReminds) {
    GuardSettings s;
    startBound(s);
    guard->onReaderEvent(inserted(kSlot2, CardKind::Vitale));
    userInput();
    runFor(10min);
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:idle"});
    EXPECT_EQ(actions.withPrefix("token-logout:"), std::vector<std::string>{"token-logout:" + kSlot1});
    EXPECT_EQ(actions.withPrefix("remind"), std::vector<std::string>{"remind"});
    // The lock goes out first: it is what protects the screen.
    const auto lockAt = std::find(actions.calls.begin(), actions.calls.end(), "lock:idle");
    const auto tokenAt = std::find(actions.calls.begin(), actions.calls.end(), "token-logout:" + kSlot1);
    EXPECT_LT(lockAt, tokenAt);
    ASSERT_EQ(actions.auditsOf(AuditKind::TokenLogout).size(), 1U);
    EXPECT_EQ(actions.auditsOf(AuditKind::TokenLogout)[0].reason, LockReason::Idle);
    EXPECT_EQ(actions.auditsOf(AuditKind::TokenLogout)[0].serial, kSerialA);
    EXPECT_EQ(std::string(cpslock::cardReminderMessage().fr), "N'oubliez pas votre carte CPS.");
}

TEST_F(SessionGuardTest, UserInputCancelsIdleCountdown) {
    GuardSettings s;
    startBound(s);
    userInput();
    runFor(9min + 45s);
    ASSERT_FALSE(actions.withPrefix("warn:").empty());
    userInput(); // seen by the idle source at the next re-check
    runFor(1s);
    EXPECT_EQ(actions.calls.back(), "hide");
    EXPECT_EQ(actions.auditsOf(AuditKind::IdleCancelled).size(), 1U);
    EXPECT_FALSE(guard->status().idleLockAt.has_value());
    // A full new period from the input: lock 10 min after it, 9 min 59 s from now.
    actions.clear();
    runFor(9min + 58s);
    EXPECT_TRUE(actions.terminations().empty());
    EXPECT_EQ(actions.withPrefix("warn:").front(), "warn:30000");
    runFor(1s);
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:idle"});
    EXPECT_EQ(clock.now() - lastInput, 10min);
}

TEST_F(SessionGuardTest, UserActivityInputCancelsCountdownAtOnce) {
    GuardSettings s;
    startBound(s);
    userInput();
    runFor(9min + 50s);
    ASSERT_TRUE(guard->status().idleLockAt.has_value());
    userInput();
    guard->onUserActivity();
    EXPECT_EQ(actions.calls.back(), "hide");
    EXPECT_FALSE(guard->status().idleLockAt.has_value());
    EXPECT_EQ(guard->nextDeadline(), clock.now() + 9min + 30s);
}

TEST_F(SessionGuardTest, IdleSourceIsQueriedRarelyWhileUserWorks) {
    GuardSettings s;
    startBound(s);
    for (int minute = 0; minute < 60; ++minute) {
        userInput();
        runFor(1min);
    }
    EXPECT_TRUE(actions.calls.empty());
    // One sample at unlock-time plus about one per 9 min 30 s: nothing like a 1 s poll.
    EXPECT_LE(idleSamples, 10);
    EXPECT_GE(idleSamples, 6);
}

TEST_F(SessionGuardTest, AgentStartedInLongIdleSessionWarnsAtFirstSample) {
    GuardSettings s;
    s.requireCard = false;
    make(s);
    lastInput = clock.now() - (9min + 40s);
    guard->onSessionUnlocked();
    EXPECT_TRUE(guard->idleSampleDue());
    runFor(0s);
    EXPECT_EQ(actions.withPrefix("warn:"), std::vector<std::string>{"warn:20000"});
    runFor(20s);
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:idle"});
}

TEST_F(SessionGuardTest, IdleOffMeansNoIdleTimerNorSample) {
    startBound(noIdle());
    EXPECT_FALSE(guard->nextDeadline().has_value());
    EXPECT_FALSE(guard->idleSampleDue());
    guard->onIdleTime(5h);
    EXPECT_TRUE(actions.calls.empty());
}

TEST_F(SessionGuardTest, ZeroWarningLocksAtTimeoutWithoutWarning) {
    GuardSettings s;
    s.idleWarning = 0ms;
    startBound(s);
    userInput();
    runFor(10min - 1ms);
    EXPECT_TRUE(actions.calls.empty());
    runFor(1ms);
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:idle"});
    EXPECT_TRUE(actions.withPrefix("warn:").empty());
}

TEST_F(SessionGuardTest, HostWithoutIdleSamplesNeverSpinsNorIdleLocks) {
    GuardSettings s;
    startBound(s);
    hostSamplesIdle = false;
    int timers = 0;
    for (auto until = clock.now() + 1h; clock.now() < until; ++timers) {
        const auto next = guard->nextDeadline();
        ASSERT_TRUE(next.has_value());
        ASSERT_GT(*next, clock.now() - 1ns) << "deadline in the past after onTimer";
        clock.set(std::max(*next, clock.now() + 1ms));
        guard->onTimer();
    }
    EXPECT_LE(timers, 3700); // about one per second at worst
    EXPECT_TRUE(actions.terminations().empty());
}

// ---- settings updates --------------------------------------------------------------------------------

TEST_F(SessionGuardTest, LongerIdleTimeoutMidCountdownHidesWarning) {
    GuardSettings s;
    startBound(s);
    userInput();
    runFor(9min + 40s);
    ASSERT_TRUE(guard->status().idleLockAt.has_value());
    s.idleTimeout = 20min;
    guard->updateSettings(s);
    runFor(0s); // the fresh sample the guard asked for
    EXPECT_EQ(actions.calls.back(), "hide");
    EXPECT_FALSE(guard->status().idleLockAt.has_value());
    EXPECT_EQ(actions.auditsOf(AuditKind::SettingsChanged).size(), 1U);
    runFor(9min + 49s);
    EXPECT_TRUE(actions.terminations().empty());
    runFor(1s + 30s);
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:idle"});
    EXPECT_EQ(clock.now() - lastInput, 20min);
}

TEST_F(SessionGuardTest, ShorterIdleTimeoutLocksAtOnceWhenAlreadyIdleLonger) {
    GuardSettings s;
    startBound(s);
    userInput();
    runFor(6min);
    s.idleTimeout = 5min;
    guard->updateSettings(s);
    EXPECT_TRUE(actions.terminations().empty()); // only a sample may decide
    runFor(0s);
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:idle"});
}

TEST_F(SessionGuardTest, IdleTurnedOffMidCountdownHidesWarning) {
    GuardSettings s;
    startBound(s);
    userInput();
    runFor(9min + 40s);
    s.idleTimeout = 0ms;
    guard->updateSettings(s);
    EXPECT_EQ(actions.calls.back(), "hide");
    runFor(1h);
    EXPECT_TRUE(actions.terminations().empty());
}

TEST_F(SessionGuardTest, RequireCardGraceChangedMidCountdown) {
    GuardSettings s = noIdle();
    make(s);
    guard->onSessionUnlocked();
    runFor(3s);
    s.requireCardGrace = 30s;
    guard->updateSettings(s);
    runFor(26s);
    EXPECT_TRUE(actions.terminations().empty());
    s.requireCardGrace = 4s; // already past: lock now
    guard->updateSettings(s);
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:no-card"});
}

TEST_F(SessionGuardTest, RequireCardSwitchedOnStartsAFreshGrace) {
    GuardSettings s = noIdle();
    s.requireCard = false;
    make(s);
    guard->onSessionUnlocked();
    runFor(1h);
    s.requireCard = true;
    guard->updateSettings(s);
    runFor(9s);
    EXPECT_TRUE(actions.terminations().empty());
    runFor(1s);
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:no-card"});
}

TEST_F(SessionGuardTest, RequireCardSwitchedOffCancelsCountdown) {
    GuardSettings s = noIdle();
    make(s);
    guard->onSessionUnlocked();
    runFor(5s);
    s.requireCard = false;
    guard->updateSettings(s);
    runFor(1h);
    EXPECT_TRUE(actions.terminations().empty());
}

TEST_F(SessionGuardTest, ServiceLossActionSwitchedOffMidGraceCancelsLock) {
    GuardSettings s = noIdle();
    startBound(s);
    guard->onReaderEvent(readerEvent(ReaderEventType::ServiceLost));
    runFor(2s);
    s.serviceLossAction = ServiceLossAction::None;
    guard->updateSettings(s);
    runFor(1h);
    EXPECT_TRUE(actions.terminations().empty());
}

TEST_F(SessionGuardTest, RemovalActionChangeAppliesToNextRemoval) {
    GuardSettings s = noIdle();
    startBound(s);
    s.removalAction = RemovalAction::Logout;
    guard->updateSettings(s);
    guard->onReaderEvent(removed(kSlot1, CardKind::Cps3, kSerialA));
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"logout:card-removed"});
}

TEST_F(SessionGuardTest, NonsenseSettingsAreClamped) {
    GuardSettings s;
    s.idleTimeout = 1min;
    s.idleWarning = 5min; // longer than the timeout: warn from the start
    s.requireCardGrace = -5s;
    s.serviceLossGrace = -1s;
    make(s);
    EXPECT_EQ(guard->settings().idleWarning, 1min);
    EXPECT_EQ(guard->settings().requireCardGrace, 0ms);
    EXPECT_EQ(guard->settings().serviceLossGrace, 0ms);
    guard->onSessionUnlocked();
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:no-card"});
}

// ---- user requests, status, names ---------------------------------------------------------------------

TEST_F(SessionGuardTest, UserRequestedLockWithCardInsideLogsTokenOut) {
    startBound();
    guard->requestLock(LockReason::UserRequest);
    guard->requestLock(LockReason::UserRequest);
    EXPECT_EQ(actions.calls, (std::vector<std::string>{"lock:user-request", "token-logout:" + kSlot1, "remind"}));
}

TEST_F(SessionGuardTest, LostCardLockIgnoredWhenAlreadyLocked) {
    startBound();
    guard->requestLock(LockReason::LostCard);
    EXPECT_EQ(actions.terminations(), std::vector<std::string>{"lock:lost-card"});
    EXPECT_TRUE(actions.withPrefix("token-logout:").empty());
    guard->onSessionLocked();
    guard->requestLock(LockReason::LostCard);
    EXPECT_EQ(actions.terminations().size(), 1U);
}

TEST_F(SessionGuardTest, StatusIsSentOnlyWhenItChanges) {
    make(noIdle());
    guard->onReaderEvent(inserted(kSlot1, CardKind::Cps3, kSerialA));
    ASSERT_EQ(actions.statuses.size(), 1U);
    guard->onTimer();
    guard->onReaderEvent(readerEvent(ReaderEventType::ReaderAdded, kSlot2));
    EXPECT_EQ(actions.statuses.size(), 1U);
    guard->onSessionUnlocked(BoundCard{kSlot1, kSerialA, ""});
    ASSERT_EQ(actions.statuses.size(), 2U);
    const GuardStatus& st = actions.statuses.back();
    EXPECT_EQ(st.session, SessionState::Unlocked);
    EXPECT_EQ(st.boundCards, (std::vector<BoundCard>{{kSlot1, kSerialA, ""}}));
    EXPECT_EQ(st.cards.size(), 1U);
    EXPECT_TRUE(st.serviceUp);
    EXPECT_FALSE(st.lastLockReason.has_value());
    EXPECT_EQ(st, guard->status());
}

TEST_F(SessionGuardTest, SessionLockedByOthersHidesWarningAndStopsTimers) {
    GuardSettings s;
    startBound(s);
    userInput();
    runFor(9min + 45s);
    ASSERT_TRUE(guard->status().idleLockAt.has_value());
    guard->onSessionLocked(); // the user pressed Super+L
    EXPECT_EQ(actions.calls.back(), "hide");
    EXPECT_FALSE(guard->nextDeadline().has_value());
    runFor(1h);
    EXPECT_TRUE(actions.terminations().empty());
    EXPECT_FALSE(guard->status().lastLockReason.has_value());
}

/// A locker that reports the session locked from inside lock().
class LockingAtOnceActions final : public GuardActions {
public:
    void lock(LockReason reason) override {
        locks.push_back(reason);
        guard->onSessionLocked();
    }
    void logout(LockReason) override {}
    void showIdleWarning(std::chrono::milliseconds) override {}
    void hideIdleWarning() override {}
    void logoutToken(const std::string&) override {}
    void remindCard() override {}
    void audit(const AuditEvent&) override {}
    void statusChanged(const GuardStatus&) override {}

    SessionGuard* guard = nullptr;
    std::vector<LockReason> locks;
};

TEST(SessionGuardReentryTest, LockerReportingLockedFromInsideLockIsTolerated) {
    FakeClock clock;
    LockingAtOnceActions actions;
    GuardSettings s;
    s.idleTimeout = 0ms;
    SessionGuard guard(clock, actions, s);
    actions.guard = &guard;
    guard.onReaderEvent(inserted(kSlot1, CardKind::Cps3, kSerialA));
    guard.onReaderEvent(inserted(kSlot3, CardKind::Cps4, kSerialB));
    guard.onSessionUnlocked(BoundCard{kSlot3, kSerialB, ""});
    guard.onReaderEvent(readerEvent(ReaderEventType::ServiceLost));
    clock.advance(1s);
    guard.onReaderEvent(readerEvent(ReaderEventType::ServiceRestored));
    guard.onReaderEvent(readerEvent(ReaderEventType::ReaderAdded, kSlot3)); // listed again, empty
    clock.advance(SessionGuard::kRestoreSettle);
    guard.onTimer(); // the card did not come back: the removal locks, the session is locked at once
    EXPECT_EQ(actions.locks, std::vector<LockReason>{LockReason::CardRemoved});
    EXPECT_EQ(guard.status().session, SessionState::Locked);
    EXPECT_TRUE(guard.status().boundCards.empty());
    EXPECT_FALSE(guard.status().lockRequested);
}

TEST(LockReasonTest, StableNamesRoundTripAndEveryReasonHasBothLanguages) {
    const std::vector<std::pair<LockReason, std::string>> expected{
        {LockReason::CardRemoved, "card-removed"},
        {LockReason::CardSwapped, "card-swapped"},
        {LockReason::ReaderRemoved, "reader-removed"},
        {LockReason::ServiceLost, "service-lost"},
        {LockReason::NoCard, "no-card"},
        {LockReason::Idle, "idle"},
        {LockReason::UserRequest, "user-request"},
        {LockReason::LostCard, "lost-card"},
        {LockReason::AgentStopped, "agent-stopped"},
    };
    for (const auto& [reason, name] : expected) {
        EXPECT_EQ(toString(reason), name);
        EXPECT_EQ(cpslock::lockReasonFromString(name), reason);
        const auto text = cpslock::userMessage(reason);
        EXPECT_FALSE(text.fr.empty()) << name;
        EXPECT_FALSE(text.en.empty()) << name;
        EXPECT_NE(text.fr, text.en) << name;
    }
    EXPECT_FALSE(cpslock::lockReasonFromString("Card-Removed").has_value());
    EXPECT_FALSE(cpslock::lockReasonFromString("").has_value());
}

TEST(GuardSettingsTest, DefaultsAreTheSecureOnes) {
    const GuardSettings s;
    EXPECT_EQ(s.removalAction, RemovalAction::Lock);
    EXPECT_EQ(s.idleTimeout, 10min);
    EXPECT_EQ(s.idleWarning, 30s);
    EXPECT_TRUE(s.requireCard);
    EXPECT_EQ(s.requireCardGrace, 10s);
    EXPECT_EQ(s.serviceLossAction, ServiceLossAction::Lock);
    EXPECT_EQ(s.serviceLossGrace, 5s);
    EXPECT_EQ(cpslock::removalActionFromString("logout"), RemovalAction::Logout);
    EXPECT_FALSE(cpslock::removalActionFromString("reboot").has_value());
    EXPECT_EQ(cpslock::serviceLossActionFromString("none"), ServiceLossAction::None);
}

} // namespace
