// SPDX-License-Identifier: EUPL-1.2
// The CPS4 (ChipDoc) applet at APDU level, as ANS Cryptolib CPS 5.2's cps4 driver drives it
// (docs/reference/cpx-card.md, "CPS4"). No middleware here can drive it end to end: OpenSC has no CPS4
// driver and Cryptolib is not installable, so these sequences are the whole test.
#include "tools/cardsim/CardCrypto.h"

#include "CpsCardFixture.h"

using namespace cpslock;
using namespace cpslock::cpscard;

TEST(ChipDocAppletTest, CryptolibRecognitionOnLogicalChannelOne) {
    CpsCard c("cps4");
    EXPECT_EQ(c.send("01A4040C08802500000"
                     "1FF0100"),
              hex("9000"));
    // P1=08, P2=00 with Le (T=1): the FCI 6F comes at once.
    EXPECT_EQ(c.send("01A4080002D00300"), hex("6F2580020"
                                              "00C820101830"
                                              "2D003880"
                                              "1E0A1128C077BFFFFFFFFFF009C077BFFFFFFFFFF008A01059000"));
    EXPECT_EQ(c.send("01B000000C"), hex("5A0A802500000129009952359000"));
    EXPECT_EQ(statusOf(c.send("01A4080002"
                              "2F00"
                              "00")),
              hex("9000"));
    EXPECT_EQ(c.send("01A40800020001"), hex("6126")); // case 3 SELECT of a DF: 61 xx, then GET RESPONSE
    EXPECT_EQ(statusOf(c.send("01C0000026")), hex("9000"));
    const Bytes odfFci = c.send("01A408000400015031"
                                "00");
    EXPECT_EQ(Bytes(odfFci.begin(), odfFci.begin() + 2), hex("6F22"));
    EXPECT_EQ(statusOf(c.send("01B0000024")), hex("9000"));
    EXPECT_EQ(c.send("01A40000023F00"), hex("6117"));
    EXPECT_EQ(c.send("01C0000017"), hex("6F1582013883023F008A0105A1098C077BFFFFFFFFFF009000"));
}

TEST(ChipDocAppletTest, PrKdfCarriesTheCps4KeyReferences) {
    CpsCard c("cps4");
    const Bytes fci = c.send("01A408000400015034"
                             "00");
    ASSERT_EQ(statusOf(fci), hex("9000"));
    const std::size_t size = (std::size_t{fci[4]} << 8) | fci[5];
    const Bytes prkdf = dataOf(c.send(Bytes{0x01, 0xB0, 0x00, 0x00, static_cast<std::uint8_t>(size)}));
    ASSERT_EQ(prkdf.size(), size);
    const Bytes authRef = hex("020120"), signRef = hex("020121");
    EXPECT_NE(std::search(prkdf.begin(), prkdf.end(), authRef.begin(), authRef.end()), prkdf.end());
    EXPECT_NE(std::search(prkdf.begin(), prkdf.end(), signRef.begin(), signRef.end()), prkdf.end());
}

TEST(ChipDocAppletTest, VerifyWithoutDataAlwaysAnswersTheCounter) {
    CpsCard c("cps4");
    EXPECT_EQ(c.send("01200001"), hex("63C3"));
    EXPECT_EQ(c.send("012000010431323334"), hex("9000"));
    EXPECT_EQ(c.send("01200001"), hex("63C3")); // not 90 00: Cryptolib's cps4 reads the counter so
    EXPECT_EQ(c.send("012000010430303030"), hex("63C2"));
    EXPECT_EQ(c.send("01200001"), hex("63C2"));
}

TEST(ChipDocAppletTest, AuthenticationIsRawRsaOverTheHostPaddedBlock) {
    CpsCard c("cps4");
    const Bytes digestInfo = sha256DigestInfo(hex("CAFE"));
    // The host's PKCS#1 type-1 block, 256 bytes, sent as 255 + 1 with command chaining.
    Bytes block{0x00, 0x01};
    block.resize(256 - digestInfo.size() - 1, 0xFF);
    block.push_back(0x00);
    block = cat(block, digestInfo);
    ASSERT_EQ(block.size(), 256U);
    const Bytes first = cat(hex("112A8086FF"), Bytes(block.begin(), block.begin() + 255));
    const Bytes last = cat(cat(hex("012A808601"), Bytes(block.begin() + 255, block.end())), hex("00"));
    EXPECT_EQ(c.send("012241B803830120"), hex("9000"));
    EXPECT_EQ(c.send(first), hex("9000"));
    EXPECT_EQ(c.send(last), hex("6982")); // PIN first
    EXPECT_EQ(c.send("012000010431323334"), hex("9000"));
    EXPECT_EQ(c.send(first), hex("9000"));
    const Bytes r = c.send(last);
    ASSERT_EQ(r.size(), 258U);
    EXPECT_EQ(statusOf(r), hex("9000"));
    EXPECT_EQ(testkeys::recoverSigned(c.authKey.get(), dataOf(r)), digestInfo);
    // The signature key is not the authentication key.
    EXPECT_EQ(c.send("012241B803830121"), hex("9000"));
    EXPECT_EQ(c.send(first), hex("9000"));
    EXPECT_EQ(c.send(last), hex("6985"));
}

TEST(ChipDocAppletTest, SignatureKeySignsABareHash) {
    CpsCard c("cps4");
    const Bytes hash = [] {
        Bytes h(32);
        unsigned n = 0;
        const Bytes message = hex("010203");
        EVP_Digest(message.data(), message.size(), h.data(), &n, EVP_sha256(), nullptr);
        return h;
    }();
    const Bytes cds = cat(cat(hex("012A9E9A20"), hash), hex("00"));
    EXPECT_EQ(c.send("012000010431323334"), hex("9000"));
    EXPECT_EQ(c.send(cds), hex("6985")); // no environment
    EXPECT_EQ(c.send("01228"
                     "1B604910228A1"),
              hex("9000"));
    const Bytes r = c.send(cds);
    ASSERT_EQ(r.size(), 258U);
    EXPECT_EQ(testkeys::recoverSigned(c.signKey.get(), dataOf(r)), cardsim::digestInfoFor(hash));
    EXPECT_EQ(c.send("012281B604910228A0"), hex("9000")); // the authentication key under DST: refused
    EXPECT_EQ(c.send(cds), hex("6985"));
}

TEST(ChipDocAppletTest, OtherApplicationsAndClasses) {
    CpsCard c("cps4");
    EXPECT_EQ(c.send("01A4040C07A0000001510000"), hex("9000")); // ISD
    EXPECT_EQ(c.send("00A4040C08802500000"
                     "1FF0002"),
              hex("9000")); // CPS2ter on the basic channel
    EXPECT_EQ(c.send("02A4000C023F00"), hex("6E00"));
    // cpslock's own EF.SN.ICC probe on the basic channel.
    EXPECT_EQ(c.send("00A4080C02D003"), hex("9000"));
    EXPECT_EQ(c.send("00B000000C"), hex("5A0A802500000129009952359000"));
    EXPECT_EQ(c.send("01CB3FFF0A4D087006BF810102A080"), hex("6D00")); // no IAS-ECC SDO access
}
