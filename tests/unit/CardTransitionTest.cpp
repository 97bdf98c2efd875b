// SPDX-License-Identifier: EUPL-1.2
#include "pcsc/CardTransition.h"

#include <gtest/gtest.h>

using cpslock::pcsc::cardTransition;

namespace {
constexpr DWORD kChanged = SCARD_STATE_CHANGED;
DWORD present(DWORD counter) {
    return (counter << 16) | SCARD_STATE_PRESENT;
}
DWORD empty(DWORD counter) {
    return (counter << 16) | SCARD_STATE_EMPTY;
}
} // namespace

TEST(CardTransitionTest, FirstLookAtAReaderWithACard) {
    const auto t = cardTransition(false, false, SCARD_STATE_UNAWARE, present(3) | kChanged);
    EXPECT_FALSE(t.removed);
    EXPECT_TRUE(t.inserted);
}

TEST(CardTransitionTest, FirstLookAtAnEmptyReader) {
    const auto t = cardTransition(false, false, SCARD_STATE_UNAWARE, empty(4) | kChanged);
    EXPECT_FALSE(t.removed);
    EXPECT_FALSE(t.inserted);
}

TEST(CardTransitionTest, PlainInsertionAndRemoval) {
    auto t = cardTransition(true, false, empty(4), present(5) | kChanged);
    EXPECT_TRUE(t.inserted);
    EXPECT_FALSE(t.removed);
    t = cardTransition(true, true, present(5), empty(6) | kChanged);
    EXPECT_TRUE(t.removed);
    EXPECT_FALSE(t.inserted);
}

TEST(CardTransitionTest, SwapBetweenTwoWakeUpsIsRemovalThenInsertion) {
    // Present before and after, but pcscd counted a removal and an insertion in between.
    const auto t = cardTransition(true, true, present(5), present(7) | kChanged);
    EXPECT_TRUE(t.removed);
    EXPECT_TRUE(t.inserted);
}

TEST(CardTransitionTest, InUseFlagChangeIsNoCardEvent) {
    // Another application connecting sets INUSE: same counter, nothing to report.
    const auto t = cardTransition(true, true, present(5), present(5) | SCARD_STATE_INUSE | kChanged);
    EXPECT_FALSE(t.removed);
    EXPECT_FALSE(t.inserted);
}

TEST(CardTransitionTest, RemovedAndBackInWhileWeWereNotLookingAtAnEmptyReader) {
    // Empty before and after with events in between: no card to report.
    const auto t = cardTransition(true, false, empty(4), empty(6) | kChanged);
    EXPECT_FALSE(t.removed);
    EXPECT_FALSE(t.inserted);
}

TEST(CardTransitionTest, ReaderGoneRemovesItsCard) {
    const auto t = cardTransition(true, true, present(5), SCARD_STATE_UNKNOWN | SCARD_STATE_PRESENT | kChanged);
    EXPECT_TRUE(t.removed);
    EXPECT_FALSE(t.inserted);
}

TEST(CardTransitionTest, MuteCardStillCountsAsPresent) {
    const auto t = cardTransition(true, false, empty(4), present(5) | SCARD_STATE_MUTE | kChanged);
    EXPECT_TRUE(t.inserted);
}
