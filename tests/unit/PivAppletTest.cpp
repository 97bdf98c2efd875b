// SPDX-License-Identifier: EUPL-1.2
#include "tools/cardsim/PivApplet.h"
#include "tools/cardsim/VirtualCard.h"

#include "Pkcs11TestKeys.h"

#include <gtest/gtest.h>

#include <openssl/pem.h>
#include <openssl/sha.h>

#include <memory>

using cpslock::Bytes;
using cpslock::fromHex;
using cpslock::cardsim::makeProfile;
using cpslock::cardsim::parsePivCredentials;
using cpslock::cardsim::PivApplet;
using cpslock::cardsim::PivCredentials;
using cpslock::cardsim::VirtualCard;
namespace testkeys = cpslock::testkeys;

namespace {

Bytes hex(const char* text) {
    return *fromHex(text);
}
Bytes statusOf(const Bytes& response) {
    return Bytes(response.end() - 2, response.end());
}
Bytes dataOf(const Bytes& response) {
    return Bytes(response.begin(), response.end() - 2);
}

Bytes pkcs8Der(EVP_PKEY* key) {
    PKCS8_PRIV_KEY_INFO* p8 = EVP_PKEY2PKCS8(key);
    unsigned char* der = nullptr;
    const int len = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
    PKCS8_PRIV_KEY_INFO_free(p8);
    Bytes out(der, der + len);
    OPENSSL_free(der);
    return out;
}

Bytes pem(const Bytes& certDer) {
    const unsigned char* p = certDer.data();
    X509* x = d2i_X509(nullptr, &p, static_cast<long>(certDer.size()));
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, x);
    char* text = nullptr;
    const long n = BIO_get_mem_data(bio, &text);
    Bytes out(text, text + n);
    BIO_free(bio);
    X509_free(x);
    return out;
}

/// A test card: RSA key, self-signed certificate, the applet in a CPS3 card.
struct Fixture {
    testkeys::PKey key;
    Bytes certDer;
    std::shared_ptr<PivApplet> applet;
    std::optional<VirtualCard> card;

    explicit Fixture(unsigned bits = 2048, EVP_PKEY* cardKey = nullptr) : key(testkeys::rsaKey(bits)) {
        certDer = testkeys::certificate(key.get());
        auto credentials = parsePivCredentials(certDer, pkcs8Der(cardKey ? cardKey : key.get()));
        EXPECT_TRUE(credentials) << credentials.error().message;
        applet = std::make_shared<PivApplet>(std::move(*credentials), "4711", 3);
        insert();
    }
    void insert() { card.emplace(*makeProfile("cps3", "992138450"), applet); }
    Bytes send(const Bytes& apdu) { return card->process(apdu); }
    Bytes send(const char* apdu) { return send(hex(apdu)); }
    void selectPiv() { ASSERT_EQ(statusOf(send("00A4040005A000000308")), hex("6130")); }

    /// Sends @p apdu, then GET RESPONSE while the card says 61 xx: the whole answer and final SW.
    Bytes exchange(const Bytes& apdu) {
        Bytes r = send(apdu);
        Bytes all = dataOf(r);
        while (r[r.size() - 2] == 0x61) {
            const std::uint8_t le = r.back();
            r = send(Bytes{0x00, 0xC0, 0x00, 0x00, le});
            const Bytes part = dataOf(r);
            EXPECT_LE(part.size(), le == 0 ? 256u : le);
            all.insert(all.end(), part.begin(), part.end());
        }
        all.insert(all.end(), r.end() - 2, r.end());
        return all;
    }

    Bytes verify(const char* pin) {
        Bytes apdu = hex("0020008008");
        const std::string_view p(pin);
        for (std::size_t i = 0; i < 8; ++i)
            apdu.push_back(i < p.size() ? static_cast<std::uint8_t>(p[i]) : 0xFF);
        return send(apdu);
    }

    /// GENERAL AUTHENTICATE of @p block with key 9A, chained as OpenSC does (255 bytes, then the rest).
    Bytes generalAuthenticate(const Bytes& block, std::uint8_t alg = 0x07) {
        Bytes tlv{0x7C,
                  0x82,
                  0x00,
                  0x00,
                  0x82,
                  0x00,
                  0x81,
                  0x82,
                  static_cast<std::uint8_t>(block.size() >> 8),
                  static_cast<std::uint8_t>(block.size() & 0xFF)};
        tlv.insert(tlv.end(), block.begin(), block.end());
        const std::size_t inner = tlv.size() - 4;
        tlv[2] = static_cast<std::uint8_t>(inner >> 8);
        tlv[3] = static_cast<std::uint8_t>(inner & 0xFF);
        std::size_t pos = 0;
        Bytes last;
        while (pos < tlv.size()) {
            const std::size_t n = std::min<std::size_t>(255, tlv.size() - pos);
            const bool final = pos + n == tlv.size();
            Bytes apdu{static_cast<std::uint8_t>(final ? 0x00 : 0x10), 0x87, alg, 0x9A, static_cast<std::uint8_t>(n)};
            apdu.insert(apdu.end(), tlv.begin() + static_cast<std::ptrdiff_t>(pos),
                        tlv.begin() + static_cast<std::ptrdiff_t>(pos + n));
            pos += n;
            if (!final) {
                const Bytes r = send(apdu);
                if (r != hex("9000"))
                    return r;
            } else {
                last = exchange(apdu); // no Le: what OpenSC sends over T=0
            }
        }
        return last;
    }
};

/// PKCS#1 v1.5 type 1 block over SHA-256(data), as a PKCS#11 library builds it before a raw RSA
/// operation on the card.
Bytes paddedSha256(const Bytes& data, std::size_t keyBytes) {
    Bytes digestInfo = hex("3031300D060960864801650304020105000420");
    Bytes hash(SHA256_DIGEST_LENGTH);
    SHA256(data.data(), data.size(), hash.data());
    digestInfo.insert(digestInfo.end(), hash.begin(), hash.end());
    Bytes block{0x00, 0x01};
    block.resize(keyBytes - digestInfo.size() - 1, 0xFF);
    block.push_back(0x00);
    block.insert(block.end(), digestInfo.begin(), digestInfo.end());
    return block;
}

bool verifiesWithCertificate(const Bytes& certDer, const Bytes& data, const Bytes& signature) {
    const unsigned char* p = certDer.data();
    X509* x = d2i_X509(nullptr, &p, static_cast<long>(certDer.size()));
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    const bool ok = EVP_DigestVerifyInit(md, nullptr, EVP_sha256(), nullptr, X509_get0_pubkey(x)) == 1 &&
                    EVP_DigestVerify(md, signature.data(), signature.size(), data.data(), data.size()) == 1;
    EVP_MD_CTX_free(md);
    X509_free(x);
    return ok;
}

/// The value of the first TLV with one-byte tag @p tag at the top level of @p in (short or 81/82 lengths).
std::optional<Bytes> find(const Bytes& in, std::uint8_t tag, std::size_t tagBytes = 1) {
    std::size_t pos = 0;
    while (pos + tagBytes + 1 <= in.size()) {
        const std::uint8_t t = in[pos];
        pos += tagBytes;
        std::size_t len = in[pos++];
        if (len > 0x80) {
            const std::size_t n = len - 0x80;
            len = 0;
            for (std::size_t i = 0; i < n; ++i)
                len = (len << 8) | in[pos++];
        }
        if (pos + len > in.size())
            return std::nullopt;
        if (t == tag)
            return Bytes(in.begin() + static_cast<std::ptrdiff_t>(pos),
                         in.begin() + static_cast<std::ptrdiff_t>(pos + len));
        pos += len;
    }
    return std::nullopt;
}

} // namespace

TEST(PivAppletTest, SelectByFullOrTruncatedAidAnswersTheApplicationPropertyTemplate) {
    Fixture f;
    for (const char* aid : {"A000000308", "A0000003080000100001", "A000000308000010000100"}) {
        Bytes apdu = hex("00A40400");
        const Bytes a = hex(aid);
        apdu.push_back(static_cast<std::uint8_t>(a.size()));
        apdu.insert(apdu.end(), a.begin(), a.end());
        apdu.push_back(0x00); // Le: the whole template at once
        const Bytes r = f.send(apdu);
        ASSERT_EQ(statusOf(r), hex("9000")) << aid;
        const auto apt = find(dataOf(r), 0x61);
        ASSERT_TRUE(apt) << aid;
        EXPECT_EQ(find(*apt, 0x4F), hex("000010000100")); // PIX, as OpenSC compares it
        const auto algorithms = find(*apt, 0xAC);
        ASSERT_TRUE(algorithms);
        EXPECT_EQ(find(*algorithms, 0x80), hex("07")); // RSA-2048
    }
    // Not the PIV AID, or longer than it: not found, and the CPS files still answer.
    EXPECT_EQ(f.send("00A4040006A00000030809"), hex("6A82"));
    EXPECT_EQ(f.send("00A4040004A0000003"), hex("6A82"));
    EXPECT_EQ(f.send("00A4040005A000000397"), hex("6A82"));
    EXPECT_EQ(f.send("00A4080C02D003"), hex("9000"));
    EXPECT_EQ(statusOf(f.send("00B000000C")), hex("9000"));
}

TEST(PivAppletTest, PivCommandsNeedTheApplicationSelected) {
    Fixture f;
    // OpenSC's first probe: GET DATA of the discovery object before any SELECT reaches the CPx, whose
    // GET DATA knows IAS-ECC SDO requests only.
    EXPECT_EQ(f.send("00CB3FFF035C017E00"), hex("6A80"));
    f.selectPiv();
    EXPECT_EQ(statusOf(f.exchange(hex("00CB3FFF035C017E"))), hex("9000"));
    // Selecting a CPS file leaves the PIV application.
    EXPECT_EQ(f.send("00A4000C023F00"), hex("9000"));
    EXPECT_EQ(f.send("00CB3FFF035C017E00"), hex("6A80"));
}

TEST(PivAppletTest, CardWithoutPivMaterialHasNoPivApplication) {
    VirtualCard card(*makeProfile("cps3", ""));
    EXPECT_EQ(card.process(hex("00A4040005A000000308")), hex("6A82"));
    EXPECT_EQ(card.process(hex("80CB3FFF035C017E")), hex("6E00"));
}

TEST(PivAppletTest, GetDataReturnsTheCertificateContainerThroughGetResponse) {
    Fixture f;
    f.selectPiv();
    // Without Le (a T=0 case 4 command): nothing yet, 61 xx.
    const Bytes first = f.send("00CB3FFF055C035FC105");
    ASSERT_EQ(first.size(), 2u);
    EXPECT_EQ(first[0], 0x61);
    const Bytes whole = f.exchange(hex("00CB3FFF055C035FC105"));
    ASSERT_EQ(statusOf(whole), hex("9000"));
    const Bytes object = dataOf(whole);
    ASSERT_GT(object.size(), 256u) << "the test needs an answer longer than one response";
    const auto container = find(object, 0x53);
    ASSERT_TRUE(container);
    EXPECT_EQ(find(*container, 0x70), f.certDer);
    EXPECT_EQ(find(*container, 0x71), hex("00")); // not compressed
    EXPECT_EQ(find(*container, 0xFE), Bytes{});
}

TEST(PivAppletTest, GetDataHonoursLeAndAnnouncesTheRest) {
    Fixture f;
    f.selectPiv();
    // OpenSC's length probe: Le = 8 gets 8 bytes and 61 xx, the header tells the total length.
    const Bytes r = f.send("00CB3FFF055C035FC10508");
    ASSERT_EQ(r.size(), 10u);
    EXPECT_EQ(r[0], 0x53);
    EXPECT_EQ(r[1], 0x82);
    const std::size_t total = 4 + ((static_cast<std::size_t>(r[2]) << 8) | r[3]);
    EXPECT_EQ(r[8], 0x61);
    EXPECT_EQ(r[9], 0x00); // 256 or more left
    // GET RESPONSE hands out the rest in pieces of at most 256 bytes.
    std::size_t received = 8;
    Bytes g = f.send("00C0000000");
    while (true) {
        received += g.size() - 2;
        if (statusOf(g) == hex("9000"))
            break;
        ASSERT_EQ(g[g.size() - 2], 0x61);
        const std::size_t announced = g.back() == 0 ? 256 : g.back();
        g = f.send(Bytes{0x00, 0xC0, 0x00, 0x00, g.back()});
        EXPECT_LE(g.size() - 2, announced);
    }
    EXPECT_EQ(received, total);
    // Nothing left: GET RESPONSE is refused; another command also drops pending data.
    EXPECT_EQ(f.send("00C0000000"), hex("6985"));
    EXPECT_EQ(statusOf(f.send("00CB3FFF055C035FC10508")), hex("6100"));
    EXPECT_EQ(statusOf(f.send("00CB3FFF035C017E00")), hex("9000"));
    EXPECT_EQ(f.send("00C0000000"), hex("6985"));
}

TEST(PivAppletTest, DiscoveryChuidAndCccSayWhatOpenScLooksFor) {
    Fixture f;
    f.selectPiv();
    const Bytes discovery = dataOf(f.exchange(hex("00CB3FFF035C017E")));
    const auto body = find(discovery, 0x7E);
    ASSERT_TRUE(body);
    EXPECT_EQ(find(*body, 0x4F), hex("A0000003080000100001 00"));
    // PIN usage policy: PIV application PIN only (not the global PIN).
    const Bytes policy = hex("5F2F024000");
    EXPECT_NE(std::search(body->begin(), body->end(), policy.begin(), policy.end()), body->end());

    const Bytes chuid = dataOf(f.exchange(hex("00CB3FFF055C035FC102")));
    const auto chuidBody = find(chuid, 0x53);
    ASSERT_TRUE(chuidBody);
    EXPECT_EQ(find(*chuidBody, 0x30)->size(), 25u); // FASC-N
    // GUID: issuer number, then the EF.SN.ICC serial digits at the end.
    EXPECT_EQ(find(*chuidBody, 0x34), hex("8025000001 000000000000 992138450F"));

    const Bytes ccc = dataOf(f.exchange(hex("00CB3FFF055C035FC107")));
    const auto cccBody = find(ccc, 0x53);
    ASSERT_TRUE(cccBody);
    EXPECT_EQ(find(*cccBody, 0xF0)->size(), 21u);

    EXPECT_EQ(f.send("00CB3FFF055C035FC10A00"), hex("6A82")); // no signature certificate (9C)
    EXPECT_EQ(f.send("00CB3FFF055C035FC10900"), hex("6A82")); // no printed information
    EXPECT_EQ(f.send("00CB3FFF055C035FC10500").size(), 2u + 256u);
    EXPECT_EQ(f.send("00CB3FFE055C035FC10500"), hex("6A86"));
    EXPECT_EQ(f.send("00CB3FFF055B035FC10500"), hex("6A80"));
    EXPECT_EQ(f.send("00CB3FFF065C045FC1050100"), hex("6A80"));
}

TEST(PivAppletTest, VerifyCountsTriesAndBlocks) {
    Fixture f;
    f.selectPiv();
    EXPECT_EQ(f.send("0020008000"), hex("63C3")); // status query: no try used
    EXPECT_EQ(f.verify("1234"), hex("63C2"));
    EXPECT_EQ(f.verify("47110"), hex("63C1"));
    EXPECT_EQ(f.send("00200080"), hex("63C1"));
    EXPECT_EQ(f.applet->triesLeft(), 1);
    EXPECT_EQ(f.verify("0000"), hex("63C0"));
    EXPECT_EQ(f.verify("4711"), hex("6983")); // blocked: even the right PIN
    EXPECT_EQ(f.send("00200080"), hex("6983"));
    EXPECT_FALSE(f.applet->verified());
    // A blocked card stays blocked when re-inserted or reset.
    f.insert();
    f.selectPiv();
    EXPECT_EQ(f.verify("4711"), hex("6983"));
    EXPECT_EQ(f.applet->triesLeft(), 0);
}

TEST(PivAppletTest, RightPinVerifiesAndRestoresTheTries) {
    Fixture f;
    f.selectPiv();
    EXPECT_EQ(f.verify("1111"), hex("63C2"));
    EXPECT_EQ(f.verify("4711"), hex("9000"));
    EXPECT_TRUE(f.applet->verified());
    EXPECT_EQ(f.applet->triesLeft(), 3);
    EXPECT_EQ(f.send("00200080"), hex("9000"));
    // P1 = FF: the PIN is no longer verified.
    EXPECT_EQ(f.send("0020FF80"), hex("9000"));
    EXPECT_EQ(f.send("00200080"), hex("63C3"));
}

TEST(PivAppletTest, MalformedVerifyIsRefusedWithoutUsingATry) {
    Fixture f;
    f.selectPiv();
    EXPECT_EQ(f.send("00200080044711FFFF"), hex("6A80"));         // not 8 bytes
    EXPECT_EQ(f.send("002000800834373131FFFF00FF"), hex("6A80")); // bad padding
    EXPECT_EQ(f.send("0020008008313233FFFFFFFFFF"), hex("6A80")); // 3 digits
    EXPECT_EQ(f.send("00200081083437313131FFFFFF"), hex("6A88")); // another PIN reference
    EXPECT_EQ(f.send("00200180083437313131FFFFFF"), hex("6A86"));
    EXPECT_EQ(f.applet->triesLeft(), 3);
}

TEST(PivAppletTest, GeneralAuthenticateSignsWhatTheCertificateVerifies) {
    Fixture f;
    f.selectPiv();
    ASSERT_EQ(f.verify("4711"), hex("9000"));
    const Bytes data = hex("0102030405060708090A");
    const Bytes r = f.generalAuthenticate(paddedSha256(data, 256));
    ASSERT_EQ(statusOf(r), hex("9000"));
    const auto dat = find(dataOf(r), 0x7C);
    ASSERT_TRUE(dat);
    const auto signature = find(*dat, 0x82);
    ASSERT_TRUE(signature);
    ASSERT_EQ(signature->size(), 256u);
    EXPECT_TRUE(verifiesWithCertificate(f.certDer, data, *signature));
    EXPECT_EQ(*signature, testkeys::signSha256(f.key.get(), data));
    // Verified once, the key can sign again (PIN access rule, not PIN-always).
    EXPECT_EQ(statusOf(f.generalAuthenticate(paddedSha256(hex("00"), 256))), hex("9000"));
}

TEST(PivAppletTest, GeneralAuthenticateWithRsa1024UsesAlgorithm06) {
    Fixture f(1024);
    f.selectPiv();
    ASSERT_EQ(f.verify("4711"), hex("9000"));
    EXPECT_EQ(f.generalAuthenticate(paddedSha256(hex("01"), 128), 0x07), hex("6A86"));
    const Bytes r = f.generalAuthenticate(paddedSha256(hex("01"), 128), 0x06);
    ASSERT_EQ(statusOf(r), hex("9000"));
    EXPECT_TRUE(verifiesWithCertificate(f.certDer, hex("01"), *find(*find(dataOf(r), 0x7C), 0x82)));
}

TEST(PivAppletTest, GeneralAuthenticateIsRefusedWithoutVerify) {
    Fixture f;
    f.selectPiv();
    EXPECT_EQ(f.generalAuthenticate(paddedSha256(hex("01"), 256)), hex("6982"));
    EXPECT_EQ(f.verify("0000"), hex("63C2"));
    EXPECT_EQ(f.generalAuthenticate(paddedSha256(hex("01"), 256)), hex("6982"));
}

TEST(PivAppletTest, SelectingAgainKeepsThePinButLeavingTheApplicationDropsIt) {
    Fixture f;
    f.selectPiv();
    ASSERT_EQ(f.verify("4711"), hex("9000"));
    f.selectPiv();
    EXPECT_EQ(f.send("00200080"), hex("9000"));
    EXPECT_EQ(f.send("00A4000C023F99"), hex("6A82")); // a failed SELECT leaves nothing
    EXPECT_EQ(f.send("00200080"), hex("9000"));
    EXPECT_EQ(f.send("00A4080C02D003"), hex("9000")); // EF.SN.ICC: out of the PIV application
    EXPECT_FALSE(f.applet->verified());
    f.selectPiv();
    EXPECT_EQ(f.send("00200080"), hex("63C3"));
}

TEST(PivAppletTest, ResetAndReinsertionDropTheVerifiedState) {
    Fixture f;
    f.selectPiv();
    ASSERT_EQ(f.verify("4711"), hex("9000"));
    f.card->reset();
    EXPECT_FALSE(f.applet->verified());
    f.selectPiv();
    EXPECT_EQ(f.generalAuthenticate(paddedSha256(hex("01"), 256)), hex("6982"));
    ASSERT_EQ(f.verify("4711"), hex("9000"));
    f.insert();
    f.selectPiv();
    EXPECT_EQ(f.generalAuthenticate(paddedSha256(hex("01"), 256)), hex("6982"));
}

TEST(PivAppletTest, GeneralAuthenticateRefusesOtherKeysAndMalformedTemplates) {
    Fixture f;
    f.selectPiv();
    ASSERT_EQ(f.verify("4711"), hex("9000"));
    EXPECT_EQ(f.send("0087079C047C028200"), hex("6A88"));     // no key 9C
    EXPECT_EQ(f.send("0087119A047C028200"), hex("6A86"));     // not ECC P-256
    EXPECT_EQ(f.send("0087079A047C028200"), hex("6A80"));     // no challenge
    EXPECT_EQ(f.send("0087079A057C03810101"), hex("6A80"));   // no response request, short block
    EXPECT_EQ(f.send("0087079A067C04820081FF"), hex("6A80")); // truncated
    // A block not smaller than the modulus cannot be signed.
    EXPECT_EQ(f.generalAuthenticate(Bytes(256, 0xFF)), hex("6A80"));
}

TEST(PivAppletTest, AKeyThatDoesNotMatchTheCertificateSignsButDoesNotVerify) {
    const testkeys::PKey other = testkeys::rsaKey(2048);
    Fixture f(2048, other.get());
    f.selectPiv();
    ASSERT_EQ(f.verify("4711"), hex("9000"));
    const Bytes data = hex("CAFE");
    const Bytes r = f.generalAuthenticate(paddedSha256(data, 256));
    ASSERT_EQ(statusOf(r), hex("9000"));
    const Bytes signature = *find(*find(dataOf(r), 0x7C), 0x82);
    EXPECT_FALSE(verifiesWithCertificate(f.certDer, data, signature));
    EXPECT_EQ(signature, testkeys::signSha256(other.get(), data));
}

TEST(PivAppletTest, ChainingCollectsDataAndAnotherCommandDropsIt) {
    Fixture f;
    f.selectPiv();
    // The tag list split over two commands.
    EXPECT_EQ(f.send("10CB3FFF025C01"), hex("9000"));
    EXPECT_EQ(statusOf(f.send("00CB3FFF017E00")), hex("9000"));
    // A chain interrupted by another instruction does not leak into it.
    EXPECT_EQ(f.send("10CB3FFF025C03"), hex("9000"));
    EXPECT_EQ(f.send("00200080"), hex("63C3"));
    EXPECT_EQ(f.send("00CB3FFF035FC10500"), hex("6A80"));
    EXPECT_EQ(f.send("80CB3FFF035C017E00"), hex("6E00"));
}

TEST(PivAppletTest, CredentialsLoadFromDerAndPemAndRejectGarbage) {
    const testkeys::PKey key = testkeys::rsaKey(2048);
    const Bytes cert = testkeys::certificate(key.get());
    const Bytes keyDer = pkcs8Der(key.get());
    auto fromDer = parsePivCredentials(cert, keyDer);
    ASSERT_TRUE(fromDer) << fromDer.error().message;
    EXPECT_EQ(fromDer->certificateDer, cert);
    EXPECT_EQ(fromDer->keyBits, 2048);

    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    char* text = nullptr;
    const long n = BIO_get_mem_data(bio, &text);
    const Bytes keyPem(text, text + n);
    BIO_free(bio);
    auto fromPem = parsePivCredentials(pem(cert), keyPem);
    ASSERT_TRUE(fromPem) << fromPem.error().message;
    EXPECT_EQ(fromPem->certificateDer, cert);

    const auto badCert = parsePivCredentials(Bytes{0x30, 0x03, 0x02}, keyDer);
    ASSERT_FALSE(badCert);
    EXPECT_EQ(badCert.error().message.rfind("certificate:", 0), 0u) << badCert.error().message;
    const auto badKey = parsePivCredentials(cert, Bytes{0x30, 0x00});
    ASSERT_FALSE(badKey);
    EXPECT_EQ(badKey.error().message.rfind("key:", 0), 0u) << badKey.error().message;
    const testkeys::PKey ec = testkeys::ecKey();
    const auto ecKey = parsePivCredentials(cert, pkcs8Der(ec.get()));
    ASSERT_FALSE(ecKey);
    EXPECT_NE(ecKey.error().message.find("RSA"), std::string::npos) << ecKey.error().message;
}

TEST(PivAppletTest, PinsAreFourToEightDigits) {
    EXPECT_TRUE(PivApplet::validPin("1234"));
    EXPECT_TRUE(PivApplet::validPin("12345678"));
    EXPECT_FALSE(PivApplet::validPin("123"));
    EXPECT_FALSE(PivApplet::validPin("123456789"));
    EXPECT_FALSE(PivApplet::validPin("12a4"));
    EXPECT_FALSE(PivApplet::validPin(""));
}
