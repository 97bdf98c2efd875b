// SPDX-License-Identifier: EUPL-1.2
#include "card/ChallengeProof.h"
#include "card/Pkcs11Rules.h"

#include "Pkcs11TestKeys.h"

#include <gtest/gtest.h>

#include <openssl/sha.h>

using namespace cpslock;
using namespace cpslock::card;

namespace {
Bytes sha256Of(const Bytes& data) {
    Bytes h(SHA256_DIGEST_LENGTH);
    SHA256(data.data(), data.size(), h.data());
    return h;
}

class ChallengeProofTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        s_keyA = testkeys::rsaKey(2048).release();
        s_keyB = testkeys::rsaKey(2048).release();
    }
    static void TearDownTestSuite() {
        EVP_PKEY_free(s_keyA);
        EVP_PKEY_free(s_keyB);
    }
    static EVP_PKEY* s_keyA;
    static EVP_PKEY* s_keyB;
};
EVP_PKEY* ChallengeProofTest::s_keyA = nullptr;
EVP_PKEY* ChallengeProofTest::s_keyB = nullptr;
} // namespace

TEST_F(ChallengeProofTest, NoncesAreFreshAndFullSize) {
    auto a = freshNonce();
    auto b = freshNonce();
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a.value().size(), kNonceSize);
    EXPECT_NE(a.value(), b.value());
}

TEST_F(ChallengeProofTest, SignatureByTheCertificateKeyVerifies) {
    const Bytes cert = testkeys::certificate(s_keyA);
    const Bytes nonce = freshNonce().value();
    EXPECT_TRUE(verifyChallenge(cert, nonce, testkeys::signSha256(s_keyA, nonce)));
}

TEST_F(ChallengeProofTest, Rsa1024IsSupported) {
    const auto small = testkeys::rsaKey(1024);
    const Bytes nonce = freshNonce().value();
    EXPECT_TRUE(verifyChallenge(testkeys::certificate(small.get()), nonce, testkeys::signSha256(small.get(), nonce)));
}

TEST_F(ChallengeProofTest, SignatureByAnotherKeyIsKeyMismatch) {
    const Bytes nonce = freshNonce().value();
    auto r = verifyChallenge(testkeys::certificate(s_keyA), nonce, testkeys::signSha256(s_keyB, nonce));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().failure, Pkcs11Failure::KeyMismatch);
}

TEST_F(ChallengeProofTest, SignatureOfAnotherNonceIsKeyMismatch) {
    const Bytes nonce = freshNonce().value();
    const Bytes replayed = testkeys::signSha256(s_keyA, freshNonce().value());
    auto r = verifyChallenge(testkeys::certificate(s_keyA), nonce, replayed);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().failure, Pkcs11Failure::KeyMismatch);
}

TEST_F(ChallengeProofTest, TruncatedOrEmptySignatureIsKeyMismatch) {
    const Bytes nonce = freshNonce().value();
    Bytes sig = testkeys::signSha256(s_keyA, nonce);
    sig.pop_back();
    EXPECT_EQ(verifyChallenge(testkeys::certificate(s_keyA), nonce, sig).error().failure, Pkcs11Failure::KeyMismatch);
    EXPECT_EQ(verifyChallenge(testkeys::certificate(s_keyA), nonce, {}).error().failure, Pkcs11Failure::KeyMismatch);
}

TEST_F(ChallengeProofTest, RawRsaSignatureOverOtherDigestIsRefused) {
    // A card that signs a SHA-1 style or bare hash instead of the SHA-256 DigestInfo must not pass.
    const Bytes nonce = freshNonce().value();
    const Bytes bareHash = testkeys::signRaw(s_keyA, sha256Of(nonce));
    EXPECT_EQ(verifyChallenge(testkeys::certificate(s_keyA), nonce, bareHash).error().failure,
              Pkcs11Failure::KeyMismatch);
}

TEST_F(ChallengeProofTest, GarbageCertificateIsModuleError) {
    const Bytes nonce = freshNonce().value();
    auto r = verifyChallenge(Bytes{0x30, 0x03, 0x02, 0x01}, nonce, testkeys::signSha256(s_keyA, nonce));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().failure, Pkcs11Failure::ModuleError);
}

TEST_F(ChallengeProofTest, NonRsaCertificateIsRefused) {
    const auto ec = testkeys::ecKey();
    const Bytes nonce = freshNonce().value();
    auto r = verifyChallenge(testkeys::certificate(ec.get()), nonce, testkeys::signSha256(s_keyA, nonce));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().failure, Pkcs11Failure::ModuleError);
}

TEST_F(ChallengeProofTest, DigestInfoMatchesWhatOpenSslSigns) {
    // CKM_RSA_PKCS over our DigestInfo must give exactly a standard SHA-256 signature.
    const Bytes nonce = freshNonce().value();
    const Bytes standard = testkeys::signSha256(s_keyA, nonce);
    EXPECT_EQ(sha256DigestInfo(sha256Of(nonce)), testkeys::recoverSigned(s_keyA, standard));
    EXPECT_EQ(testkeys::signRaw(s_keyA, sha256DigestInfo(sha256Of(nonce))), standard);
    EXPECT_TRUE(verifyChallenge(testkeys::certificate(s_keyA), nonce,
                                testkeys::signRaw(s_keyA, sha256DigestInfo(sha256Of(nonce)))));
}
