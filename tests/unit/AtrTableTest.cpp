// SPDX-License-Identifier: EUPL-1.2
#include "pcsc/AtrTable.h"

#include "core/Hex.h"

#include <gtest/gtest.h>

#include <string>

using cpslock::CardKind;
using cpslock::fromHex;
using cpslock::pcsc::classifyAtr;

namespace {
CardKind kindOf(const std::string& hex) {
    const auto atr = fromHex(hex);
    EXPECT_TRUE(atr.has_value()) << hex;
    return classifyAtr(*atr).kind;
}
} // namespace

// Every ATR listed in docs/reference/cps-cards.md.
TEST(AtrTableTest, Cps3ContactBothRevisions) {
    EXPECT_EQ(kindOf("3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00"), CardKind::Cps3);
    EXPECT_EQ(kindOf("3B AC 00 40 2A 00 12 25 00 64 80 82 02 12 00 90 00"), CardKind::Cps3);
}

TEST(AtrTableTest, Cps3ContactMaskIgnoresOnlyMaskedBytes) {
    // Bytes 1-4 and 11-13 are masked out by OpenSC's mask.
    EXPECT_EQ(kindOf("3B FF FF FF FF 00 12 25 00 64 80 FF FF FF 00 90 00"), CardKind::Cps3);
    // Byte 5 is not masked: a change there is not a CPS3.
    EXPECT_EQ(kindOf("3B AC 00 40 2A 01 12 25 00 64 80 00 03 10 00 90 00"), CardKind::Other);
}

TEST(AtrTableTest, Cps3Contactless) {
    EXPECT_EQ(kindOf("3B 8F 80 01 00 31 B8 64 04 B0 EC C1 73 94 01 80 82 90 00 0E"), CardKind::Cps3Contactless);
    // Bytes 8-9 are masked, byte 11 only in its two high bits.
    EXPECT_EQ(kindOf("3B 8F 80 01 00 31 B8 64 FF FF EC C2 73 94 01 80 82 90 00 0E"), CardKind::Cps3Contactless);
    EXPECT_EQ(kindOf("3B 8F 80 01 00 31 B8 64 04 B0 EC 01 73 94 01 80 82 90 00 0E"), CardKind::Other);
}

TEST(AtrTableTest, OpenScTypoRowIsNotACps) {
    // OpenSC's table has 2B instead of 3B: that ATR cannot exist (TS is 3B or 3F).
    EXPECT_EQ(kindOf("2B 8F 80 01 00 31 B8 64 04 B0 EC C1 73 94 01 80 82 90 00 0E"), CardKind::Other);
}

TEST(AtrTableTest, Cps4AndPreSeries) {
    EXPECT_EQ(kindOf("3B 9B 18 80 01 00 12 25 00 64 80 04 01 00 00 90 44"), CardKind::Cps4);
    EXPECT_EQ(kindOf("3B 9B 18 80 01 00 12 25 00 64 80 00 04 01 00 90 44"), CardKind::Cps4);
    EXPECT_EQ(kindOf("3B DC 18 FF 00 00 12 25 00 64 80 00 04 01 00 90 00"), CardKind::Cps4);
}

TEST(AtrTableTest, Cps4IsComparedExactly) {
    EXPECT_EQ(kindOf("3B 9B 18 80 01 00 12 25 00 64 80 04 01 00 00 90 45"), CardKind::Other);
    EXPECT_EQ(kindOf("3B 9B 18 80 01 00 12 25 00 64 80 04 01 00 00 90"), CardKind::Other);
}

TEST(AtrTableTest, Vitale1Variants) {
    EXPECT_EQ(kindOf("3F 65 25 00 2B 09 69 90 00"), CardKind::Vitale);
    EXPECT_EQ(kindOf("3F 65 25 00 20 09 F9 90 00"), CardKind::Vitale);
    EXPECT_EQ(kindOf("3F 65 25 00 52 09 6A 90 00"), CardKind::Vitale);
    EXPECT_EQ(kindOf("3F 65 25 00 A4 09 6A 90 00"), CardKind::Vitale);
}

TEST(AtrTableTest, FrenchBankCardSharingThePrefixIsNotVitale) {
    EXPECT_EQ(kindOf("3F 65 25 08 36 04 6C 90 00"), CardKind::Other);
    EXPECT_EQ(kindOf("3F 65 25 00 2B 09 6A 90 00"), CardKind::Other); // x9 broken: low nibble A
    EXPECT_EQ(kindOf("3F 65 25 00 B4 09 6A 90 00"), CardKind::Other);
}

TEST(AtrTableTest, Vitale2OnlyForListedNibbles) {
    for (char x = '3'; x <= '9'; ++x)
        EXPECT_EQ(kindOf(std::string("3B 75 13 00 00 4") + x + " 09 EA 90 00"), CardKind::Vitale) << x;
    EXPECT_EQ(kindOf("3B 75 13 00 00 45 09 FA 90 00"), CardKind::Vitale);
    EXPECT_EQ(kindOf("3B 75 13 00 00 42 09 EA 90 00"), CardKind::Other);
    EXPECT_EQ(kindOf("3B 75 13 00 00 4A 09 EA 90 00"), CardKind::Other);
    EXPECT_EQ(kindOf("3B 75 13 00 00 46 09 FA 90 00"), CardKind::Other);
}

TEST(AtrTableTest, ShortEmptyAndGarbageAtrsAreOther) {
    EXPECT_EQ(classifyAtr({}).kind, CardKind::Other);
    EXPECT_EQ(kindOf("3B"), CardKind::Other);
    EXPECT_EQ(kindOf("3B AC 00 40"), CardKind::Other);
    EXPECT_EQ(kindOf("FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF"), CardKind::Other);
    EXPECT_EQ(kindOf("00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"), CardKind::Other);
    // A CPS3 ATR with one byte too many or too few.
    EXPECT_EQ(kindOf("3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00 00"), CardKind::Other);
    EXPECT_EQ(kindOf("3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90"), CardKind::Other);
    const cpslock::Bytes huge(300, 0x3B);
    EXPECT_EQ(classifyAtr(huge).kind, CardKind::Other);
}

TEST(AtrTableTest, MatchCarriesALabel) {
    const auto atr = fromHex("3B9B188001001225006480040100009044");
    EXPECT_FALSE(classifyAtr(*atr).label.empty());
    EXPECT_TRUE(classifyAtr(cpslock::Bytes{0x3B, 0x00}).label.empty());
}
