// SPDX-License-Identifier: EUPL-1.2
// The CPS3 (IAS-ECC CPx) applet at APDU level, against docs/reference/cpx-card.md: the sequences OpenSC
// 0.23's iasecc driver and ANS Cryptolib CPS send, and the refusals around them.
#include "tools/cardsim/CardCrypto.h"
#include "tools/cardsim/CpsFileSystem.h"

#include "CpsCardFixture.h"

#include <openssl/sha.h>

using namespace cpslock;
using namespace cpslock::cpscard;

namespace {

Bytes verifyApdu(const char* pin) {
    const std::string_view p(pin);
    return cat(Bytes{0x00, 0x20, 0x00, 0x01, static_cast<std::uint8_t>(p.size())}, Bytes(p.begin(), p.end()));
}

Bytes internalAuthenticate(const Bytes& input) {
    return cat(Bytes{0x00, 0x88, 0x00, 0x00, static_cast<std::uint8_t>(input.size())}, input);
}

bool verifiesSha256(EVP_PKEY* key, const Bytes& message, const Bytes& signature) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
                    EVP_DigestVerify(ctx, signature.data(), signature.size(), message.data(), message.size()) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

} // namespace

TEST(IasEccAppletTest, OpenScConnectSequence) {
    CpsCard c;
    // EF.ATR by path with the MF, FCP through GET RESPONSE (T=0: no Le on a case-4 SELECT).
    EXPECT_EQ(c.send("00A40904043F002F01"), hex("6127"));
    const Bytes fcp = c.send("00C0000027");
    EXPECT_EQ(fcp, cat(hex("622580020039820101830"
                           "22F01880"
                           "1E8A1128C077BFFFFFFFFFF009C077BFFFFFFFFFF008A0105"),
                       hex("9000")));
    EXPECT_EQ(c.send("00B0000039"), cat(cardsim::CpsFileSystem::efAtr(), hex("9000")));
    EXPECT_EQ(cardsim::CpsFileSystem::efAtr().size(), 57U);
    // The IAS-ECC root named in EF.ATR: the MF, FCP without AID (real CPx bytes).
    EXPECT_EQ(c.exchange("00A4040408802500000"
                         "1FF0100"),
              hex("621582013883023F008A0105A1098C077BFFFFFFFFFF009000"));
    // EF.SN.ICC by short FID 1C, 192 bytes asked of a 12-byte file.
    EXPECT_EQ(c.send("00B09C00C0"), hex("5A0A80250000012900995235"
                                        "9000"));
}

TEST(IasEccAppletTest, SnIccFcpIsTheRealCpxEncoding) {
    CpsCard c;
    EXPECT_EQ(c.exchange("00A40904043F00D003"), hex("622580020"
                                                    "00C820101830"
                                                    "2D003880"
                                                    "1E0A1128C077BFFFFFFFFFF009C077BFFFFFFFFFF008A01059000"));
    EXPECT_EQ(c.send("00B000000C"), hex("5A0A802500000129009952359000"));
    // cpslock's own probe and the P2=0C forms answer no data.
    EXPECT_EQ(c.send("00A4080C02D003"), hex("9000"));
    EXPECT_EQ(c.send("00A4090C043F00D003"), hex("9000"));
}

TEST(IasEccAppletTest, Pkcs15ApplicationAsBothMiddlewaresReadIt) {
    CpsCard c;
    EXPECT_EQ(c.exchange("00A40904043F002F00"), c.exchange("00A40904043F002F00")); // twice, as Cryptolib does
    EXPECT_EQ(dataOf(c.send("00B000001C")), hex("611A4F0DE828BD080F8025000001FF00105003435053510"
                                                "43F000001"));
    EXPECT_EQ(c.send("00A4090C043F000001"), hex("9000"));
    // DF 0001 FCP names its AID; by AID too.
    EXPECT_EQ(c.exchange("00A40404"
                         "0D"
                         "E828BD080F8025000001FF0010"),
              hex("622482013883020001840DE828BD080F8025000001FF00108A0105A1098C077BFFFFFFFFFF009000"));
    auto read = [&](const char* path) {
        const Bytes fcp = c.exchange(hex(path));
        EXPECT_EQ(statusOf(fcp), hex("9000")) << path;
        const std::size_t size = (std::size_t{fcp[4]} << 8) | fcp[5];
        Bytes content;
        while (content.size() < size) {
            const std::size_t n = std::min<std::size_t>(0xE7, size - content.size()); // Cryptolib's pieces
            const Bytes r =
                c.send(Bytes{0x00, 0xB0, static_cast<std::uint8_t>(content.size() >> 8),
                             static_cast<std::uint8_t>(content.size() & 0xFF), static_cast<std::uint8_t>(n)});
            EXPECT_EQ(statusOf(r), hex("9000"));
            const Bytes part = dataOf(r);
            content.insert(content.end(), part.begin(), part.end());
        }
        return content;
    };
    EXPECT_EQ(read("00A40904063F0000015031"),
              hex("A80A300804063F0000015033A00A300804063F0000015034A40A300804063F0000015035"));
    const Bytes tokenInfo = read("00A40904063F0000015032");
    EXPECT_EQ(Bytes(tokenInfo.begin(), tokenInfo.begin() + 3), hex("3081C1")); // the facts page's size
    EXPECT_EQ(read("00A40904063F0000015033"), hex("302D30090C0350494E03020780300304010"
                                                  "1A11B3019030203880A01010201040201088001010401FF300404023F00"));
    const Bytes prkdf = read("00A40904063F0000015034");
    const Bytes authRef = hex("02020082"), signRef = hex("02020081");
    EXPECT_NE(std::search(prkdf.begin(), prkdf.end(), authRef.begin(), authRef.end()), prkdf.end());
    EXPECT_NE(std::search(prkdf.begin(), prkdf.end(), signRef.begin(), signRef.end()), prkdf.end());
    const std::string cdf = [&] {
        const Bytes b = read("00A40904063F0000015035");
        return std::string(b.begin(), b.end());
    }();
    EXPECT_NE(cdf.find("Certificat d'Authentification CPS"), std::string::npos);
    EXPECT_EQ(read("00A40904063F0000015040"), c.authCert);
    EXPECT_EQ(read("00A40904063F0000015041"), c.signCert);
    // EF_ACTUA is absent by default, as on the real card of OpenSC #2275.
    EXPECT_EQ(c.send("00A40904043F00D010"), hex("6A82"));
}

TEST(IasEccAppletTest, ActuaWindowIsPresentedWhenAsked) {
    CpsCard c("cps3", cardsim::encodeActua("20250101", "20991231235959"));
    EXPECT_EQ(statusOf(c.exchange("00A40904043F00D010")), hex("9000"));
    EXPECT_EQ(c.send("00B0000014"), hex("EC128107202501010000008207209912312359599000"));
    EXPECT_FALSE(cardsim::encodeActua("2025010", "20991231"));
    EXPECT_FALSE(cardsim::encodeActua("2025O101", "20991231"));
}

TEST(IasEccAppletTest, ChvSdoCountsTriesLive) {
    CpsCard c;
    const char* docp = "00CB3FFF0A4D087006BF810102A080";
    EXPECT_EQ(c.send(docp), hex("6118"));
    EXPECT_EQ(c.send("00C0000018"), hex("7016BF810112A0109A01039B0103A1088C06F3000013FF009000"));
    EXPECT_EQ(c.send(verifyApdu("0000")), hex("63C2"));
    EXPECT_EQ(c.exchange(docp), hex("7016BF810112A0109A01039B0102A1088C06F3000013FF009000"));
    EXPECT_EQ(c.exchange("00CB3FFF0B4D097007BF8101037F4180"), hex("700DBF8101097F41068001088101049000"));
    // Key SDOs: no public data (OpenSC falls back to the DOCP), DOCP with size in bytes.
    EXPECT_EQ(c.send("00CB3FFF0B4D097007BF9002037F4880"), hex("6A86"));
    EXPECT_EQ(c.exchange("00CB3FFF0A4D087006BF900202A080"), hex("7012BF90020EA00CA1068C043111110080020100"
                                                                "9000"));
    EXPECT_EQ(c.exchange("00CB3FFF0A4D087006BF900102A080"), hex("7011BF90010DA00BA1058C0341110080020100"
                                                                "9000"));
    EXPECT_EQ(c.send("00CB3FFF0A4D087006BF900302A080"), hex("6A88"));
    EXPECT_EQ(c.send("00CB3FFF035C017E"), hex("6A80"));
    EXPECT_EQ(c.send("00CB3FFE0A4D087006BF810102A080"), hex("6A86"));
}

TEST(IasEccAppletTest, VerifyChv1WithALiveCounter) {
    CpsCard c;
    EXPECT_EQ(c.send("00200001"), hex("63C3"));         // status query, case 1
    EXPECT_EQ(c.send("0020000100"), hex("63C3"));       // OpenSC's T=0 form: a query, not an empty PIN
    EXPECT_EQ(c.send(verifyApdu("12a4")), hex("6A80")); // not digits: no try used
    EXPECT_EQ(c.send(verifyApdu("123")), hex("6A80"));
    EXPECT_EQ(c.send("00200001")[1], 0xC3);
    EXPECT_EQ(c.send(verifyApdu("1234")), hex("9000"));
    EXPECT_EQ(c.send("0020000100"), hex("9000"));
    EXPECT_EQ(c.send("00200001083132333"
                     "4FFFFFFFF"),
              hex("9000")); // FF padding ignored
    EXPECT_EQ(c.send(verifyApdu("1235")), hex("63C2"));
    EXPECT_EQ(c.send("00200001"), hex("63C2")); // a wrong PIN ends the verified state
    EXPECT_EQ(c.send(verifyApdu("12345")), hex("63C1"));
    EXPECT_EQ(c.send(verifyApdu("0000")), hex("6983"));
    EXPECT_EQ(c.send(verifyApdu("1234")), hex("6983")); // blocked: even the right PIN
    EXPECT_EQ(c.send("00200001"), hex("6983"));
    EXPECT_EQ(c.send("0020000204"), hex("6A88"));
    c.insert(); // a blocked card stays blocked
    EXPECT_EQ(c.send(verifyApdu("1234")), hex("6983"));
    EXPECT_EQ(c.credentials->triesLeft(), 0);
}

TEST(IasEccAppletTest, InternalAuthenticateSignsWithTheAuthenticationKey) {
    CpsCard c;
    const Bytes digestInfo = sha256DigestInfo(hex("0102030405"));
    EXPECT_EQ(c.send(internalAuthenticate(digestInfo)), hex("6985")); // no environment
    EXPECT_EQ(c.send("002241A406840182800102"), hex("9000"));         // OpenSC's MSE order
    EXPECT_EQ(c.send(internalAuthenticate(digestInfo)), hex("6982")); // PIN not verified
    EXPECT_EQ(c.send(verifyApdu("1234")), hex("9000"));
    // Selections between VERIFY and the signature keep the PIN verified (both middlewares do them).
    EXPECT_EQ(c.send("00A4090C043F000001"), hex("9000"));
    EXPECT_EQ(c.send("00A4020C023F00"), hex("9000"));
    EXPECT_EQ(c.send(internalAuthenticate(digestInfo)), hex("6100"));
    // Cryptolib's GET RESPONSE pieces: E7, then the 0x19 left.
    const Bytes first = c.send("00C00000E7");
    ASSERT_EQ(first.size(), 0xE7U + 2);
    EXPECT_EQ(statusOf(first), hex("6119"));
    const Bytes second = c.send("00C0000019");
    EXPECT_EQ(statusOf(second), hex("9000"));
    const Bytes signature = cat(dataOf(first), dataOf(second));
    ASSERT_EQ(signature.size(), 256U);
    EXPECT_EQ(testkeys::recoverSigned(c.authKey.get(), signature), digestInfo);
    EXPECT_TRUE(verifiesSha256(c.authKey.get(), hex("0102030405"), signature));
    EXPECT_EQ(c.send("00C0000010"), hex("6985")); // nothing pending any more
    // Cryptolib's MSE order, same result; the signature key is never used for it.
    EXPECT_EQ(c.send("002241A406800102840182"), hex("9000"));
    EXPECT_EQ(statusOf(c.exchange(internalAuthenticate(digestInfo))), hex("9000"));
    EXPECT_EQ(c.send("002241A406800102840181"), hex("9000"));
    EXPECT_EQ(c.send(internalAuthenticate(digestInfo)), hex("6985"));
    // Power lost: the PIN must be verified again.
    c.card->reset();
    EXPECT_EQ(c.send("002241A406800102840182"), hex("9000"));
    EXPECT_EQ(c.send(internalAuthenticate(digestInfo)), hex("6982"));
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
// The host side of Cryptolib's CKM_SHA256_RSA_PKCS: hash whole blocks, send the state.
Bytes hostSha256State(const Bytes& message, std::size_t hashedBytes) {
    SHA256_CTX ctx;
    SHA256_Init(&ctx);
    SHA256_Update(&ctx, message.data(), hashedBytes);
    Bytes state;
    for (unsigned h : ctx.h)
        for (int shift = 24; shift >= 0; shift -= 8)
            state.push_back(static_cast<std::uint8_t>(h >> shift));
    return state;
}
#pragma GCC diagnostic pop

TEST(IasEccAppletTest, PsoHashFinishesTheHostStateAndPsoCdsSignsIt) {
    CpsCard c;
    Bytes message(1000);
    for (std::size_t i = 0; i < message.size(); ++i)
        message[i] = static_cast<std::uint8_t>(i * 7);
    // 960 bytes hashed on the host (bit counter 0x1E00), the last 40 sent.
    Bytes pso = hex("002A90A0549028");
    pso = cat(pso, hostSha256State(message, 960));
    pso = cat(pso, hex("0000000000001E00"
                       "8028"));
    pso = cat(pso, Bytes(message.begin() + 960, message.end()));
    EXPECT_EQ(c.send(verifyApdu("1234")), hex("9000"));
    EXPECT_EQ(c.send(pso), hex("6985")); // no hash environment yet
    EXPECT_EQ(c.send("002241AA03800140"), hex("9000"));
    EXPECT_EQ(c.send(pso), hex("9000"));
    EXPECT_EQ(c.send("00A4090C043F000001"), hex("9000"));
    EXPECT_EQ(c.send("002241B606800142840181"), hex("9000"));
    const Bytes r = c.send("002A9E9A00");
    ASSERT_EQ(r.size(), 258U);
    EXPECT_EQ(statusOf(r), hex("9000"));
    EXPECT_TRUE(verifiesSha256(c.signKey.get(), message, dataOf(r)));
    EXPECT_FALSE(verifiesSha256(c.authKey.get(), message, dataOf(r)));
    EXPECT_EQ(c.send("002A9E9A00"), hex("6985")); // the hash is used once

    // "90 00" form: the whole (short) message in tag 80.
    EXPECT_EQ(c.send("002241AA03800140"), hex("9000"));
    EXPECT_EQ(c.send("002A90A00790008003616263"), hex("9000"));
    EXPECT_EQ(c.send("002241B606800142840181"), hex("9000"));
    EXPECT_TRUE(verifiesSha256(c.signKey.get(), hex("616263"), dataOf(c.send("002A9E9A00"))));
}

TEST(IasEccAppletTest, PsoCdsRefusalsAndBareHash) {
    CpsCard c;
    Bytes hash(32, 0x5A);
    const Bytes cds = cat(hex("002A9E9A20"), hash);
    EXPECT_EQ(c.send("002241B606800142840182"), hex("9000")); // the authentication key
    EXPECT_EQ(c.send(verifyApdu("1234")), hex("9000"));
    EXPECT_EQ(c.send(cds), hex("6985"));
    EXPECT_EQ(c.send("002241B606800142840181"), hex("9000"));
    c.card->reset();
    EXPECT_EQ(c.send("002241B606800142840181"), hex("9000"));
    EXPECT_EQ(c.send(cds), hex("6982"));
    EXPECT_EQ(c.send(verifyApdu("1234")), hex("9000"));
    const Bytes signature = dataOf(c.exchange(cds));
    EXPECT_EQ(testkeys::recoverSigned(c.signKey.get(), signature), cardsim::digestInfoFor(hash));
    EXPECT_EQ(c.send("002A9E9A05"
                     "0102030405"),
              hex("6A80")); // not a SHA-1 or SHA-256 length
    EXPECT_EQ(c.send("002A9E9B00"), hex("6A86"));
}

TEST(IasEccAppletTest, PsoDecipherWithChaining) {
    CpsCard c;
    const Bytes secret = hex("00112233445566778899");
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(c.authKey.get(), nullptr);
    std::size_t len = 256;
    Bytes cryptogram(len);
    ASSERT_EQ(EVP_PKEY_encrypt_init(ctx), 1);
    ASSERT_EQ(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING), 1);
    ASSERT_EQ(EVP_PKEY_encrypt(ctx, cryptogram.data(), &len, secret.data(), secret.size()), 1);
    EVP_PKEY_CTX_free(ctx);
    const Bytes data = cat(hex("81"), cryptogram); // 257 bytes: two commands
    const Bytes first = cat(hex("102A8086FF"), Bytes(data.begin(), data.begin() + 255));
    const Bytes last = cat(hex("002A808602"), Bytes(data.begin() + 255, data.end()));
    EXPECT_EQ(c.send("002241B80680010A840182"), hex("9000"));
    EXPECT_EQ(c.send(verifyApdu("1234")), hex("9000"));
    EXPECT_EQ(c.send(first), hex("9000"));
    EXPECT_EQ(c.exchange(last), cat(secret, hex("9000")));
}

TEST(IasEccAppletTest, SelectVariantsAndErrors) {
    CpsCard c;
    EXPECT_EQ(c.send("00A4000C023F00"), hex("9000"));
    EXPECT_EQ(c.send("00A4000C"), hex("9000")); // case 1: the MF
    EXPECT_EQ(c.send("00A4080C0400015031"), hex("9000"));
    EXPECT_EQ(c.send("00A4080C063F0000015031"), hex("9000"));
    EXPECT_EQ(c.send("00A4020C025032"), hex("9000"));       // EF under the current DF (0001)
    EXPECT_EQ(c.send("00A4020C02D003"), hex("6A82"));       // not under 0001
    EXPECT_EQ(c.send("00A4000C02D003"), hex("9000"));       // P1=00 falls back to the MF's children
    EXPECT_EQ(c.send("00A4090C020001"), hex("9000"));       // relative path from the MF
    EXPECT_EQ(c.send("00A4090C025040"), hex("9000"));       // relative path from DF 0001
    EXPECT_EQ(c.send("00A4090C035040FF"), hex("6A82"));     // odd path
    EXPECT_EQ(c.send("00A40910023F00"), hex("6A86"));       // bad P2
    EXPECT_EQ(c.send("00A4030C023F00"), hex("6A86"));       // bad P1
    EXPECT_EQ(c.send("00A4040C05A000000308"), hex("6A82")); // no PIV applet on this card
    EXPECT_EQ(c.send("00A4000C023F00"), hex("9000"));
    EXPECT_EQ(c.send("00B0000001"), hex("6986"));     // a DF is current
    EXPECT_EQ(c.send("01A4000C023F00"), hex("6E00")); // CPS3 has no logical channel
    EXPECT_EQ(c.send("00B09F0001"), hex("6A82"));     // no EF with SFI 1F
    c.send("00A4080C02D003");
    EXPECT_EQ(c.send("00B0000C01"), hex("6B00"));
    EXPECT_EQ(c.send("00CA000000"), hex("6D00"));
}

TEST(IasEccAppletTest, CardWithoutKeysHasNoPkcs15Application) {
    cardsim::VirtualCard card(*cardsim::makeProfile("cps3", "1111"));
    EXPECT_EQ(card.process(hex("00A40904043F002F00")), hex("6A82"));
    EXPECT_EQ(card.process(hex("00A40904043F000001")), hex("6A82"));
    EXPECT_EQ(statusOf(card.process(hex("00A40904043F002F01"))), hex("6127")); // EF.ATR still there
    EXPECT_EQ(card.process(hex("002241A406840182800102")), hex("9000"));
    EXPECT_EQ(card.process(hex("0020000104313233"
                               "34")),
              hex("9000"));
    EXPECT_EQ(card.process(internalAuthenticate(hex("00"))), hex("6985"));
}

TEST(IasEccAppletTest, GarbageApdusNeverCrashAndAlwaysEndWithAStatusWord) {
    // Bad input never crashes the card: random headers, lengths and data on both CPS applets, with
    // the PIN verified so that the signing paths are reached too.
    for (const char* profile : {"cps3", "cps4"}) {
        CpsCard c(profile);
        c.send(profile == std::string("cps3") ? "0020000104313233"
                                                "34"
                                              : "012000010431323334");
        std::uint32_t state = 12345;
        auto next = [&state] {
            state = state * 1103515245U + 12345U;
            return static_cast<std::uint8_t>(state >> 16);
        };
        const std::uint8_t instructions[] = {0xA4, 0xB0, 0xCB, 0x20, 0x22, 0x88, 0x2A, 0xC0, 0x00};
        for (int i = 0; i < 3000; ++i) {
            Bytes apdu{static_cast<std::uint8_t>(next() & 0x11), instructions[next() % sizeof instructions], next(),
                       next()};
            const std::size_t extra = next() % 12 == 0 ? next() : next() % 8;
            for (std::size_t k = 0; k < extra; ++k)
                apdu.push_back(next());
            const Bytes r = c.send(apdu);
            ASSERT_GE(r.size(), 2U) << profile << " " << cpslock::toHex(apdu);
        }
    }
}
