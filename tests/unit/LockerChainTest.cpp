// SPDX-License-Identifier: EUPL-1.2
#include "agent/LockerChain.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

using cpslock::Locker;
using cpslock::LockerProbe;
using cpslock::agent::LockerChain;

namespace {

/// A locker that answers at once with what the test set, and records what it was asked.
class FakeLocker final : public Locker {
public:
    FakeLocker(std::string name, bool usable, std::vector<std::string>& log)
        : m_name(std::move(name)), m_usable(usable), m_log(log) {}

    std::string name() const override { return m_name; }
    LockerProbe probe() override { return {m_usable, m_usable ? "found" : "absent"}; }
    void lock(Done done) override {
        m_log.push_back(m_name + ":lock");
        done(lockWorks, lockWorks ? "" : m_name + " refused");
    }
    void logout(Done done) override {
        m_log.push_back(m_name + ":logout");
        done(logoutWorks, logoutWorks ? "" : m_name + " cannot log out");
    }
    std::optional<bool> lockedState() const override { return state; }
    void watchState(StateHandler handler) override { watcher = std::move(handler); }
    StateRole stateRole() const override { return role; }
    void watchAvailability(AvailabilityHandler handler) override { availability = std::move(handler); }

    /// The service came or left (NameOwnerChanged), as the D-Bus lockers report it.
    void setUsable(bool usable) {
        m_usable = usable;
        if (!usable)
            state.reset();
        availability(usable, usable ? "back" : "gone");
    }
    /// The locker saw the state change (only sent on a change, as the real ones do).
    void report(bool locked) {
        state = locked;
        watcher(locked);
    }

    bool lockWorks = true;
    bool logoutWorks = true;
    std::optional<bool> state;
    StateHandler watcher;
    StateRole role = StateRole::Primary;
    AvailabilityHandler availability;

private:
    std::string m_name;
    bool m_usable;
    std::vector<std::string>& m_log;
};

struct Result {
    bool called = false;
    bool ok = false;
    std::string locker;
    std::string detail;
    std::size_t index = 0;
};

LockerChain::Done recordInto(Result& r) {
    return [&r](bool ok, const std::string& locker, std::size_t index, const std::string& detail) {
        r = {true, ok, locker, detail, index};
    };
}

class LockerChainTest : public ::testing::Test {
protected:
    FakeLocker* add(const std::string& name, bool usable) {
        auto locker = std::make_unique<FakeLocker>(name, usable, log);
        FakeLocker* raw = locker.get();
        chain.add(std::move(locker));
        return raw;
    }

    std::vector<std::string> log;
    LockerChain chain;
};

TEST_F(LockerChainTest, OnlyUsableLockersAreAskedInOrder) {
    add("logind", false);
    add("screensaver", true);
    add("command", true);
    const auto& candidates = chain.probeAll();
    ASSERT_EQ(candidates.size(), 3U);
    EXPECT_FALSE(candidates[0].probe.usable);
    EXPECT_EQ(candidates[0].probe.detail, "absent");
    EXPECT_EQ(chain.usableNames(), "screensaver, command");

    Result r;
    chain.lock(recordInto(r));
    EXPECT_TRUE(r.ok);
    EXPECT_EQ(r.locker, "screensaver");
    EXPECT_EQ(log, (std::vector<std::string>{"screensaver:lock"}));
}

TEST_F(LockerChainTest, AFailingLockerFallsBackToTheNext) {
    add("logind", true)->lockWorks = false;
    add("screensaver", true);
    chain.probeAll();
    Result r;
    chain.lock(recordInto(r));
    EXPECT_TRUE(r.ok);
    EXPECT_EQ(r.locker, "screensaver");
    EXPECT_EQ(r.detail, "logind refused"); // the failure on the way is still reported
    EXPECT_EQ(r.index, 1U);
    EXPECT_EQ(log, (std::vector<std::string>{"logind:lock", "screensaver:lock"}));
}

TEST_F(LockerChainTest, ALockCanStartFromALaterLocker) {
    add("logind", true);
    add("screensaver", true);
    chain.probeAll();
    Result r;
    chain.lock(recordInto(r), 1);
    EXPECT_TRUE(r.ok);
    EXPECT_EQ(r.locker, "screensaver");
    EXPECT_EQ(log, (std::vector<std::string>{"screensaver:lock"}));
    chain.lock(recordInto(r), 2);
    EXPECT_FALSE(r.ok);
}

TEST_F(LockerChainTest, EveryLockerFailingIsAFailureWithEveryReason) {
    add("logind", true)->lockWorks = false;
    add("screensaver", true)->lockWorks = false;
    chain.probeAll();
    Result r;
    chain.lock(recordInto(r));
    ASSERT_TRUE(r.called);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.detail, "logind refused; screensaver refused");
}

TEST_F(LockerChainTest, NoUsableLockerFailsAtOnceAndSaysSo) {
    add("logind", false);
    chain.probeAll();
    EXPECT_FALSE(chain.anyUsable());
    Result r;
    chain.lock(recordInto(r));
    ASSERT_TRUE(r.called);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.detail, "no usable locker");
    EXPECT_TRUE(log.empty());
}

TEST_F(LockerChainTest, LogoutFallsBackToTheNextLockerThatCanLogOut) {
    add("screensaver", true)->logoutWorks = false;
    add("logind", true);
    chain.probeAll();
    Result r;
    chain.logout(recordInto(r));
    EXPECT_TRUE(r.ok);
    EXPECT_EQ(r.locker, "logind");
    EXPECT_EQ(log, (std::vector<std::string>{"screensaver:logout", "logind:logout"}));
}

TEST_F(LockerChainTest, StateComesFromTheFirstUsableLockerThatKnowsIt) {
    add("logind", false)->state = true; // not usable: ignored
    add("command", true);               // no state
    FakeLocker* screensaver = add("screensaver", true);
    screensaver->state = false;
    chain.probeAll();
    EXPECT_EQ(chain.lockedState(), std::optional<bool>(false));
    std::vector<bool> seen;
    chain.watchState([&seen](bool locked) { seen.push_back(locked); });
    ASSERT_TRUE(screensaver->watcher);
    screensaver->report(true);
    EXPECT_EQ(seen, (std::vector<bool>{true}));
}

TEST_F(LockerChainTest, Issue10ScreenSaverActiveIsNotLockedWhereLogindKnowsTheState) {
    // A saver that only blanks said ActiveChanged(true) and the agent took the session as locked.
    FakeLocker* logind = add("logind", true);
    logind->state = false;
    FakeLocker* screensaver = add("screensaver", true);
    screensaver->role = Locker::StateRole::Fallback;
    screensaver->state = false;
    chain.probeAll();
    std::vector<bool> seen;
    chain.watchState([&seen](bool locked) { seen.push_back(locked); });
    screensaver->report(true);
    EXPECT_EQ(chain.lockedState(), std::optional<bool>(false));
    EXPECT_TRUE(seen.empty());
    logind->report(true);
    EXPECT_EQ(seen, (std::vector<bool>{true}));
}

TEST_F(LockerChainTest, ScreenSaverStateIsTheFallbackWithoutALogindSession) {
    FakeLocker* logind = add("logind", false);
    FakeLocker* screensaver = add("screensaver", true);
    screensaver->role = Locker::StateRole::Fallback;
    screensaver->state = false;
    chain.probeAll();
    std::vector<bool> seen;
    chain.watchState([&seen](bool locked) { seen.push_back(locked); });
    screensaver->report(true);
    EXPECT_EQ(seen, (std::vector<bool>{true}));
    (void)logind;
}

TEST_F(LockerChainTest, LockCommandRunningIsLockedAndItsEndIsUnlockedWhenNothingElseKnows) {
    FakeLocker* command = add("command", true);
    command->role = Locker::StateRole::WhileRunning;
    command->state = false;
    chain.probeAll();
    EXPECT_FALSE(chain.lockedState().has_value()) << "not running says nothing";
    std::vector<bool> seen;
    chain.watchState([&seen](bool locked) { seen.push_back(locked); });
    command->report(true);
    command->report(false);
    EXPECT_EQ(seen, (std::vector<bool>{true, false}));
}

TEST_F(LockerChainTest, LockCommandRunningCountsAsLockedBesideLogind) {
    FakeLocker* logind = add("logind", true);
    logind->state = false;
    FakeLocker* command = add("command", true);
    command->role = Locker::StateRole::WhileRunning;
    command->state = false;
    chain.probeAll();
    std::vector<bool> seen;
    chain.watchState([&seen](bool locked) { seen.push_back(locked); });
    command->report(true);
    EXPECT_EQ(chain.lockedState(), std::optional<bool>(true));
    command->report(false);
    EXPECT_EQ(seen, (std::vector<bool>{true, false}));
}

TEST_F(LockerChainTest, Issue10LockerThatAppearsLaterIsAskedAndReported) {
    // An agent started while logind was away found no locker and never looked again.
    FakeLocker* logind = add("logind", false);
    chain.probeAll();
    std::vector<std::string> changes;
    chain.watchChanges([&changes](const std::string& name, bool usable, const std::string&) {
        changes.push_back(name + (usable ? ":up" : ":down"));
    });
    Result before;
    chain.lock(recordInto(before));
    EXPECT_FALSE(before.ok);
    EXPECT_EQ(before.detail, "no usable locker");

    logind->setUsable(true);
    EXPECT_TRUE(chain.anyUsable());
    EXPECT_EQ(changes, (std::vector<std::string>{"logind:up"}));
    Result after;
    chain.lock(recordInto(after));
    EXPECT_TRUE(after.ok);
    EXPECT_EQ(log, (std::vector<std::string>{"logind:lock"}));
}

TEST_F(LockerChainTest, LockerThatLeavesIsNotAskedAndItsStateNoLongerCounts) {
    FakeLocker* logind = add("logind", true);
    logind->state = false;
    FakeLocker* screensaver = add("screensaver", true);
    screensaver->role = Locker::StateRole::Fallback;
    screensaver->state = true;
    chain.probeAll();
    std::vector<bool> seen;
    chain.watchState([&seen](bool locked) { seen.push_back(locked); });
    EXPECT_EQ(chain.lockedState(), std::optional<bool>(false));
    logind->setUsable(false); // logind restarting: the fallback is all there is
    EXPECT_EQ(chain.usableNames(), "screensaver");
    EXPECT_EQ(chain.lockedState(), std::optional<bool>(true));
    Result r;
    chain.lock(recordInto(r));
    EXPECT_EQ(log, (std::vector<std::string>{"screensaver:lock"}));
    // logind back, its LockedHint read again: the truth again.
    logind->state = false;
    logind->setUsable(true);
    EXPECT_EQ(chain.lockedState(), std::optional<bool>(false));
    EXPECT_EQ(seen, (std::vector<bool>{true, false}));
}

TEST_F(LockerChainTest, NoStateAnywhereIsUnknown) {
    add("command", true);
    chain.probeAll();
    EXPECT_FALSE(chain.lockedState().has_value());
}

} // namespace
