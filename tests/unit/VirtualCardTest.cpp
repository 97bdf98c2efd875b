// SPDX-License-Identifier: EUPL-1.2
#include "tools/cardsim/VirtualCard.h"

#include "pcsc/AtrTable.h"
#include "pcsc/SnIcc.h"

#include <gtest/gtest.h>

#include <map>

using cpslock::Bytes;
using cpslock::CardKind;
using cpslock::fromHex;
using cpslock::cardsim::makeProfile;
using cpslock::cardsim::profileNames;
using cpslock::cardsim::VirtualCard;

namespace {
VirtualCard card(const char* profile, const char* serial = "") {
    auto p = makeProfile(profile, serial);
    EXPECT_TRUE(p.ok()) << p.error().message;
    return VirtualCard(*p);
}
Bytes apdu(const char* hex) {
    return *fromHex(hex);
}
Bytes statusOf(const Bytes& response) {
    return Bytes(response.end() - 2, response.end());
}
} // namespace

TEST(VirtualCardTest, EveryProfileHasTheAtrItsNameSays) {
    const std::map<std::string, CardKind> expected{
        {"cps3", CardKind::Cps3},      {"cps3-contactless", CardKind::Cps3Contactless},
        {"cps4", CardKind::Cps4},      {"vitale1", CardKind::Vitale},
        {"vitale2", CardKind::Vitale}, {"bank", CardKind::Other},
        {"unknown", CardKind::Other},
    };
    ASSERT_EQ(profileNames().size(), expected.size());
    for (auto name : profileNames()) {
        const auto p = makeProfile(name, "");
        ASSERT_TRUE(p) << p.error().message;
        EXPECT_EQ(cpslock::pcsc::classifyAtr(p->atr).kind, expected.at(std::string(name))) << name;
    }
}

TEST(VirtualCardTest, ReadsSnIccByPath) {
    VirtualCard c = card("cps3", "992138450");
    EXPECT_EQ(c.process(apdu("00A4080C02D003")), apdu("9000"));
    const Bytes r = c.process(apdu("00B000000C"));
    ASSERT_EQ(r.size(), 14u);
    EXPECT_EQ(statusOf(r), apdu("9000"));
    const auto sn = cpslock::pcsc::parseSnIcc(Bytes(r.begin(), r.end() - 2));
    ASSERT_TRUE(sn) << sn.error().message;
    EXPECT_EQ(*sn, "992138450");
}

TEST(VirtualCardTest, ReadsSnIccThroughTheMf) {
    VirtualCard c = card("cps4", "1234567890");
    EXPECT_EQ(c.process(apdu("00A4000C023F00")), apdu("9000"));
    EXPECT_EQ(c.process(apdu("00A4020C02D003")), apdu("9000"));
    EXPECT_EQ(statusOf(c.process(apdu("00B000000C"))), apdu("9000"));
}

TEST(VirtualCardTest, TheMfIsCurrentAfterPowerOn) {
    VirtualCard c = card("cps3");
    EXPECT_EQ(c.process(apdu("00A4020C02D003")), apdu("9000"));
    EXPECT_EQ(c.process(apdu("00A4020C025031")), apdu("6A82")); // not under the MF
}

TEST(VirtualCardTest, ErrorsForWhatItDoesNotKnow) {
    VirtualCard c = card("cps3");
    EXPECT_EQ(c.process(apdu("00A4080C02D004")), apdu("6A82"));
    EXPECT_EQ(c.process(apdu("00CA000000")), apdu("6D00"));
    EXPECT_EQ(c.process(apdu("80A4080C02D003")), apdu("6E00"));
    EXPECT_EQ(c.process(apdu("00B000000C")), apdu("6986")); // nothing selected
    EXPECT_EQ(c.process(apdu("00A4")), apdu("6700"));
    EXPECT_EQ(c.process(apdu("00A4080C05D003")), apdu("6700")); // Lc longer than the data
}

TEST(VirtualCardTest, ShortReadAndOffsets) {
    VirtualCard c = card("cps3", "1234567890");
    c.process(apdu("00A4080C02D003"));
    const Bytes r = c.process(apdu("00B0000A04"));
    EXPECT_EQ(r, apdu("78909000")); // 2 bytes left at offset 10, Le 4: what there is, 90 00
    EXPECT_EQ(c.process(apdu("00B0001001")), apdu("6B00"));
}

TEST(VirtualCardTest, NonCpsCardsHaveNoSnIcc) {
    for (const char* p : {"vitale1", "vitale2", "bank", "unknown"}) {
        VirtualCard c = card(p);
        EXPECT_EQ(c.process(apdu("00A4080C02D003")), apdu("6A82")) << p;
    }
}

TEST(VirtualCardTest, ResetForgetsTheSelection) {
    VirtualCard c = card("cps3");
    c.process(apdu("00A4080C02D003"));
    c.reset();
    EXPECT_EQ(c.process(apdu("00B000000C")), apdu("6986"));
}

TEST(VirtualCardTest, BadProfilesAndSerials) {
    const auto unknown = makeProfile("cps5", "");
    ASSERT_FALSE(unknown);
    EXPECT_NE(unknown.error().message.find("cps5"), std::string::npos);
    EXPECT_FALSE(makeProfile("cps3", "12345678901"));
    EXPECT_FALSE(makeProfile("cps3", "12a"));
}

TEST(VirtualCardTest, CpsProfilesSpeakTheirCardsLanguage) {
    // cps3: IAS-ECC CPx (FCP 62 through GET RESPONSE, CLA 00 only); cps4: ChipDoc (FCI 6F, CLA 01).
    VirtualCard cps3 = card("cps3");
    EXPECT_EQ(statusOf(cps3.process(apdu("00A40904043F002F01"))), apdu("6127"));
    EXPECT_EQ(cps3.process(apdu("01A4000C023F00")), apdu("6E00"));
    VirtualCard cps4 = card("cps4");
    const Bytes fci = cps4.process(apdu("01A4080002D00300"));
    ASSERT_GE(fci.size(), 2u);
    EXPECT_EQ(fci[0], 0x6F);
    EXPECT_EQ(statusOf(fci), apdu("9000"));
}

TEST(VirtualCardTest, PinStateIsChv1OfCpsCardsAndNothingElsewhere) {
    VirtualCard cps3 = card("cps3");
    ASSERT_TRUE(cps3.pinState());
    EXPECT_EQ(cps3.pinState()->triesLeft, 3);
    EXPECT_EQ(cps3.process(apdu("002000010430303030")), apdu("63C2"));
    EXPECT_EQ(cps3.pinState()->triesLeft, 2);
    EXPECT_FALSE(cps3.pinState()->verified);
    EXPECT_EQ(cps3.process(apdu("002000010431323334")), apdu("9000"));
    EXPECT_TRUE(cps3.pinState()->verified);
    cps3.reset();
    EXPECT_FALSE(cps3.pinState()->verified);
    EXPECT_FALSE(card("vitale2").pinState());
}
