// SPDX-License-Identifier: EUPL-1.2
// ReaderTable: what the guard remembers of the readers, across removals and pcscd restarts.
#include "core/ReaderTable.h"

#include "tests/unit/TestReaderEvents.h"

#include <gtest/gtest.h>

using cpslock::CardKind;
using cpslock::ReaderEventType;
using cpslock::ReaderTable;
using cpslock::test::cardEvent;

TEST(ReaderTableTest, ACardListsItsReaderAndOnlyAContactCpsIsRememberedAfterItLeaves) {
    ReaderTable t;
    t.cardInserted(cardEvent(ReaderEventType::CardInserted, "R0", CardKind::Cps3, "992138450"));
    t.cardInserted(cardEvent(ReaderEventType::CardInserted, "R1", CardKind::Vitale, "123"));
    EXPECT_TRUE(t.listed("R0"));
    ASSERT_NE(t.card("R0"), nullptr);
    EXPECT_EQ(t.card("R0")->serial, "992138450");
    EXPECT_EQ(t.presentCards().size(), 2U);

    t.cardRemoved("R0");
    t.cardRemoved("R1");
    EXPECT_EQ(t.card("R0"), nullptr);
    EXPECT_TRUE(t.listed("R0")) << "the reader stays";
    EXPECT_TRUE(t.lastSeen("R0", "992138450"));
    EXPECT_FALSE(t.lastSeen("R1", "123")) << "a Vitale is never a session card";
    EXPECT_FALSE(t.lastSeen("R0", "111"));
}

TEST(ReaderTableTest, AServiceLossForgetsWhatIsPresentButNotWhatWasSeen) {
    ReaderTable t;
    t.readerAdded("R0");
    t.cardInserted(cardEvent(ReaderEventType::CardInserted, "R0", CardKind::Cps4, "42"));
    t.serviceLost();
    EXPECT_FALSE(t.listed("R0"));
    EXPECT_TRUE(t.presentCards().empty());
    EXPECT_TRUE(t.lastSeen("R0", "42"));
}

TEST(ReaderTableTest, AReaderRemovedTakesEverythingKnownOfItAlong) {
    ReaderTable t;
    t.cardInserted(cardEvent(ReaderEventType::CardInserted, "R0", CardKind::Cps3, "42"));
    t.readerRemoved("R0");
    EXPECT_FALSE(t.listed("R0"));
    EXPECT_EQ(t.card("R0"), nullptr);
    EXPECT_FALSE(t.lastSeen("R0", "42"));
}

TEST(ReaderTableTest, PaddedSlotNamesAreTrimmed) {
    EXPECT_EQ(ReaderTable::trimmedName(std::string("Virtual PCD 00 00   \0\0", 22)), "Virtual PCD 00 00");
    EXPECT_EQ(ReaderTable::trimmedName("   "), "");
}
