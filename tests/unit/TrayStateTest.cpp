// SPDX-License-Identifier: EUPL-1.2
#include "agent/tray/TrayState.h"

#include <gtest/gtest.h>

using namespace cpslock;
using namespace cpslock::agent;
using namespace std::chrono_literals;

namespace {

GuardStatus unlockedWith(std::vector<PresentCard> cards) {
    GuardStatus s;
    s.session = SessionState::Unlocked;
    s.cards = std::move(cards);
    return s;
}

const PresentCard kCps3{"Reader 0", CardKind::Cps3, "111"};
const PresentCard kCps4{"Reader 1", CardKind::Cps4, "222"};

} // namespace

TEST(TrayStateTest, PriorityErrorLockedWarningCardNoCard) {
    TrayConditions ok;
    EXPECT_EQ(trayIconKind(unlockedWith({}), ok), TrayIconKind::NoCard);
    EXPECT_EQ(trayIconKind(unlockedWith({kCps3}), ok), TrayIconKind::CardPresent);

    TrayConditions warn;
    warn.crlStale = true;
    EXPECT_EQ(trayIconKind(unlockedWith({kCps3}), warn), TrayIconKind::Warning);
    EXPECT_EQ(trayIconKind(unlockedWith({}), warn), TrayIconKind::Warning);

    GuardStatus locked = unlockedWith({kCps3});
    locked.session = SessionState::Locked;
    EXPECT_EQ(trayIconKind(locked, warn), TrayIconKind::Locked);

    GuardStatus down = locked;
    down.serviceUp = false;
    EXPECT_EQ(trayIconKind(down, warn), TrayIconKind::Error);
    TrayConditions noLocker;
    noLocker.lockerAvailable = false;
    EXPECT_EQ(trayIconKind(unlockedWith({kCps3}), noLocker), TrayIconKind::Error);
}

TEST(TrayStateTest, EveryWarningConditionWarns) {
    for (int i = 0; i < 4; ++i) {
        TrayConditions c;
        (i == 0 ? c.policyRefused : i == 1 ? c.crlStale : i == 2 ? c.certExpiringSoon : c.cardRefused) = true;
        EXPECT_EQ(trayIconKind(unlockedWith({kCps3}), c), TrayIconKind::Warning) << i;
    }
}

TEST(TrayStateTest, OnlyContactCpsCardsCount) {
    const TrayConditions ok;
    for (const auto kind : {CardKind::Cps3Contactless, CardKind::Vitale, CardKind::Other, CardKind::Unreadable})
        EXPECT_EQ(trayIconKind(unlockedWith({{"R", kind, "1"}}), ok), TrayIconKind::NoCard) << toString(kind);
    EXPECT_EQ(trayIconKind(unlockedWith({kCps4}), ok), TrayIconKind::CardPresent);
}

TEST(TrayStateTest, EachKindHasItsOwnIcon) {
    const TrayIconKind kinds[] = {TrayIconKind::Error, TrayIconKind::Locked, TrayIconKind::Warning,
                                  TrayIconKind::CardPresent, TrayIconKind::NoCard};
    for (const auto k : kinds) {
        EXPECT_EQ(iconResource(k), ":/cpslock/icons/" + std::string(toString(k)) + ".svg");
        for (const auto other : kinds) {
            if (other != k) {
                EXPECT_NE(iconResource(k), iconResource(other));
            }
        }
    }
}

TEST(TrayStateTest, ExpiryWindowIsUnderThirtyDays) {
    const auto now = std::chrono::system_clock::time_point{} + std::chrono::days{20000};
    EXPECT_TRUE(expiresSoon(now + std::chrono::days{29}, now));
    EXPECT_TRUE(expiresSoon(now + std::chrono::days{30} - 1s, now));
    EXPECT_FALSE(expiresSoon(now + std::chrono::days{30}, now));
    EXPECT_FALSE(expiresSoon(now - 1s, now)); // expired: a refusal, not a warning
    EXPECT_EQ(daysLeft(now + std::chrono::days{12}, now), 12);
    EXPECT_EQ(daysLeft(now + 1h, now), 1);
    EXPECT_EQ(daysLeft(now - 1h, now), 0);
}

TEST(TrayStateTest, LossTargetPrefersTheBoundCardThenTheOnlyCardThenTheRememberedOne) {
    GuardStatus s = unlockedWith({kCps3, kCps4});
    s.boundCards.push_back({"Reader 1", "222", "ab"});
    EXPECT_EQ(lossTarget(s, std::nullopt).serial, "222");
    EXPECT_EQ(lossTarget(s, std::nullopt).certSha256, "ab");

    const BoundCard remembered{"Reader 9", "999", ""};
    EXPECT_EQ(lossTarget(unlockedWith({kCps3}), remembered).serial, "111");
    EXPECT_EQ(lossTarget(unlockedWith({kCps3, kCps4}), remembered).serial, "999"); // two cards: no guess
    EXPECT_EQ(lossTarget(unlockedWith({kCps3, kCps4}), std::nullopt).serial, "");
    EXPECT_EQ(lossTarget(unlockedWith({{"R", CardKind::Vitale, "5"}}), std::nullopt).serial, "");
}

TEST(TrayStateTest, ReminderOnlyForAnIdleLockWithTheCardInside) {
    const GuardStatus before = unlockedWith({kCps3});
    GuardStatus after = before;
    after.lockRequested = true;
    after.lastLockReason = LockReason::Idle;
    EXPECT_TRUE(shouldRemindCard(before, after));
    after.session = SessionState::Locked;
    EXPECT_FALSE(shouldRemindCard(GuardStatus{after}, after)); // once
    after.lastLockReason = LockReason::CardRemoved;
    EXPECT_FALSE(shouldRemindCard(before, after));
    GuardStatus noCard = unlockedWith({});
    GuardStatus noCardLocked = noCard;
    noCardLocked.session = SessionState::Locked;
    noCardLocked.lastLockReason = LockReason::Idle;
    EXPECT_FALSE(shouldRemindCard(noCard, noCardLocked));
}
