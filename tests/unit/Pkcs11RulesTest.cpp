// SPDX-License-Identifier: EUPL-1.2
#include "card/Pkcs11Rules.h"

#include <gtest/gtest.h>

#include <openssl/x509v3.h>

#include <array>

using namespace cpslock;
using namespace cpslock::card;

namespace {
constexpr CK_FLAGS kUsable = CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED | CKF_TOKEN_INITIALIZED;

CertificateCandidate cert(Bytes id, std::string label, std::optional<std::uint32_t> ku, std::size_t index) {
    return CertificateCandidate{std::move(id), std::move(label), ku, index};
}
KeyCandidate key(Bytes id, std::string label, bool canSign, std::size_t index) {
    return KeyCandidate{std::move(id), std::move(label), canSign, index};
}
} // namespace

TEST(Pkcs11RulesTest, NamesReturnValues) {
    EXPECT_EQ(ckrName(CKR_PIN_INCORRECT), "CKR_PIN_INCORRECT");
    EXPECT_EQ(ckrName(CKR_DEVICE_REMOVED), "CKR_DEVICE_REMOVED");
    EXPECT_EQ(ckrName(0x80001234UL), "CKR_0x80001234");
    EXPECT_EQ(ckrName(0x80000001UL), "CKR_ASIP_BAD_EF_ACTUA");
    EXPECT_EQ(ckrName(0x80000002UL), "CKR_ASIP_REINIT_NEEDED");
}

TEST(Pkcs11RulesTest, MapsReturnValuesToStableReasons) {
    struct Case {
        CK_RV rv;
        std::string_view reason;
    };
    const std::array cases{
        Case{CKR_PIN_INCORRECT, "wrong-pin"},
        Case{CKR_PIN_LEN_RANGE, "wrong-pin"},
        Case{CKR_PIN_LOCKED, "pin-locked"},
        Case{CKR_USER_PIN_NOT_INITIALIZED, "contactless"},
        Case{CKR_DEVICE_REMOVED, "card-removed"},
        Case{CKR_TOKEN_NOT_PRESENT, "card-removed"},
        Case{CKR_SESSION_HANDLE_INVALID, "card-removed"},
        Case{CKR_SESSION_CLOSED, "card-removed"},
        Case{CKR_GENERAL_ERROR, "module-error"},
        Case{CKR_FUNCTION_FAILED, "module-error"},
        Case{CKR_BUFFER_TOO_SMALL, "module-error"},
        Case{CKR_TOKEN_NOT_RECOGNIZED, "card-not-usable"},
        // Cryptolib CPS vendor codes (issue 12)
        Case{0x80000001UL, "card-needs-update"},
        Case{0x80000002UL, "card-needs-reinit"},
        Case{0x80000003UL, "module-error"},
    };
    for (const auto& c : cases)
        EXPECT_EQ(toString(failureForRv(c.rv)), c.reason) << ckrName(c.rv);
    const auto e = errorForRv("C_Sign", CKR_DEVICE_REMOVED);
    EXPECT_EQ(e.failure, Pkcs11Failure::CardRemoved);
    EXPECT_EQ(e.detail, "C_Sign: CKR_DEVICE_REMOVED");
    EXPECT_EQ(e.rv, CKR_DEVICE_REMOVED);
}

TEST(Pkcs11RulesTest, ReasonNamesAreTheStableCodes) {
    EXPECT_EQ(toString(Pkcs11Failure::WrongPin), "wrong-pin");
    EXPECT_EQ(toString(Pkcs11Failure::PinLocked), "pin-locked");
    EXPECT_EQ(toString(Pkcs11Failure::LastTryRefused), "last-try-refused");
    EXPECT_EQ(toString(Pkcs11Failure::Contactless), "contactless");
    EXPECT_EQ(toString(Pkcs11Failure::KeyMismatch), "key-mismatch");
    EXPECT_EQ(toString(Pkcs11Failure::NoCard), "no-card");
    EXPECT_EQ(toString(Pkcs11Failure::CardRemoved), "card-removed");
    EXPECT_EQ(toString(Pkcs11Failure::ModuleError), "module-error");
    EXPECT_EQ(toString(Pkcs11Failure::CardNotUsable), "card-not-usable");
    EXPECT_EQ(toString(Pkcs11Failure::CardNeedsUpdate), "card-needs-update");
    EXPECT_EQ(toString(Pkcs11Failure::CardNeedsReinit), "card-needs-reinit");
}

TEST(Pkcs11RulesTest, TrimsBlankPaddingAndStopsAtNul) {
    const unsigned char padded[] = {'G', 'e', 'm', ' ', 'P', 'C', ' ', ' ', ' ', ' '};
    EXPECT_EQ(trimPadded(padded), "Gem PC");
    const unsigned char zeroPadded[] = {'A', 'B', 0, 0, ' '};
    EXPECT_EQ(trimPadded(zeroPadded), "AB");
    const unsigned char blank[] = {' ', ' '};
    EXPECT_EQ(trimPadded(blank), "");
    const unsigned char utf8[] = {'M', 0xC3, 0xA9, 'd', ' '}; // "Méd", UTF-8 kept as bytes
    EXPECT_EQ(trimPadded(utf8), "M\xC3\xA9"
                                "d");
}

TEST(Pkcs11RulesTest, TriesLeftFromFlags) {
    EXPECT_EQ(pinCounterFromFlags(kUsable).triesLeft, std::nullopt);
    EXPECT_EQ(pinCounterFromFlags(kUsable | CKF_USER_PIN_COUNT_LOW).triesLeft, std::nullopt);
    EXPECT_TRUE(pinCounterFromFlags(kUsable | CKF_USER_PIN_COUNT_LOW).countLow);
    EXPECT_EQ(pinCounterFromFlags(kUsable | CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY).triesLeft, 1U);
    EXPECT_EQ(pinCounterFromFlags(kUsable | CKF_USER_PIN_LOCKED).triesLeft, 0U);
    // Locked wins over a stale final-try flag.
    EXPECT_EQ(pinCounterFromFlags(kUsable | CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_LOCKED).triesLeft, 0U);
    // SO PIN flags say nothing about the user PIN.
    EXPECT_EQ(pinCounterFromFlags(kUsable | CKF_SO_PIN_LOCKED | CKF_SO_PIN_FINAL_TRY).triesLeft, std::nullopt);
}

TEST(Pkcs11RulesTest, RefusesBeforeLoginWhenLockedOrLastTry) {
    EXPECT_FALSE(refusalBeforeLogin(kUsable, FinalTryPolicy::Refuse));
    EXPECT_FALSE(refusalBeforeLogin(kUsable | CKF_USER_PIN_COUNT_LOW, FinalTryPolicy::Refuse));

    auto locked = refusalBeforeLogin(kUsable | CKF_USER_PIN_LOCKED, FinalTryPolicy::Warn);
    ASSERT_TRUE(locked);
    EXPECT_EQ(locked->failure, Pkcs11Failure::PinLocked);
    EXPECT_EQ(locked->triesLeft, 0U);

    auto last = refusalBeforeLogin(kUsable | CKF_USER_PIN_FINAL_TRY, FinalTryPolicy::Refuse);
    ASSERT_TRUE(last);
    EXPECT_EQ(last->failure, Pkcs11Failure::LastTryRefused);
    EXPECT_EQ(last->triesLeft, 1U);
    EXPECT_FALSE(refusalBeforeLogin(kUsable | CKF_USER_PIN_FINAL_TRY, FinalTryPolicy::Warn));
}

TEST(Pkcs11RulesTest, TokenWithoutUserPinIsContactless) {
    auto noPin = refusalBeforeLogin(CKF_LOGIN_REQUIRED | CKF_TOKEN_INITIALIZED, FinalTryPolicy::Warn);
    ASSERT_TRUE(noPin);
    EXPECT_EQ(noPin->failure, Pkcs11Failure::Contactless);
    auto noLogin = refusalBeforeLogin(CKF_USER_PIN_INITIALIZED | CKF_TOKEN_INITIALIZED, FinalTryPolicy::Warn);
    ASSERT_TRUE(noLogin);
    EXPECT_EQ(noLogin->failure, Pkcs11Failure::Contactless);
}

TEST(Pkcs11RulesTest, LoginFailureCarriesTriesLeftReadAfterTheTry) {
    auto countLow = loginFailure(CKR_PIN_INCORRECT, kUsable | CKF_USER_PIN_COUNT_LOW);
    EXPECT_EQ(countLow.failure, Pkcs11Failure::WrongPin);
    EXPECT_EQ(countLow.triesLeft, std::nullopt);
    EXPECT_EQ(countLow.detail, "C_Login: CKR_PIN_INCORRECT");

    auto finalTry = loginFailure(CKR_PIN_INCORRECT, kUsable | CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY);
    EXPECT_EQ(finalTry.triesLeft, 1U);

    auto nowLocked = loginFailure(CKR_PIN_INCORRECT, kUsable | CKF_USER_PIN_LOCKED);
    EXPECT_EQ(nowLocked.failure, Pkcs11Failure::WrongPin);
    EXPECT_EQ(nowLocked.triesLeft, 0U);

    auto locked = loginFailure(CKR_PIN_LOCKED, kUsable);
    EXPECT_EQ(locked.failure, Pkcs11Failure::PinLocked);
    EXPECT_EQ(locked.triesLeft, 0U);

    EXPECT_EQ(loginFailure(CKR_USER_PIN_NOT_INITIALIZED, 0).failure, Pkcs11Failure::Contactless);
    EXPECT_EQ(loginFailure(CKR_DEVICE_REMOVED, 0).failure, Pkcs11Failure::CardRemoved);
}

TEST(Pkcs11RulesTest, DigestInfoIsTheRfc8017Sha256Prefix) {
    Bytes hash(32);
    for (std::size_t i = 0; i < hash.size(); ++i)
        hash[i] = static_cast<std::uint8_t>(i);
    const Bytes info = sha256DigestInfo(hash);
    ASSERT_EQ(info.size(), 51U);
    // RFC 8017 §9.2 note 1: SHA-256 "30 31 30 0d 06 09 60 86 48 01 65 03 04 02 01 05 00 04 20 || H".
    EXPECT_EQ(toHex({info.data(), 19}), "3031300D060960864801650304020105000420");
    EXPECT_TRUE(std::equal(hash.begin(), hash.end(), info.begin() + 19));
    EXPECT_TRUE(sha256DigestInfo(Bytes(20)).empty());
}

TEST(Pkcs11RulesTest, PrefersTheCpsAuthenticationPair) {
    const Bytes aut{0x01}, sig{0x02};
    const std::vector certs{cert(sig, std::string(kCpsSignCertLabel), KU_NON_REPUDIATION, 0),
                            cert(aut, std::string(kCpsAuthCertLabel), KU_DIGITAL_SIGNATURE, 1)};
    const std::vector keys{key(sig, std::string(kCpsSignKeyLabel), true, 0),
                           key(aut, std::string(kCpsAuthKeyLabel), true, 1)};
    const auto choice = choosePair(certs, keys);
    ASSERT_TRUE(choice);
    EXPECT_EQ(choice->certificate, 1U);
    EXPECT_EQ(choice->key, 1U);
}

TEST(Pkcs11RulesTest, NeverChoosesTheTechnicalPair) {
    const Bytes tech{0x03};
    const std::vector certs{cert(tech, std::string(kCpsTechCertLabel), KU_DIGITAL_SIGNATURE, 0)};
    const std::vector keys{key(tech, std::string(kCpsTechKeyLabel), true, 0)};
    EXPECT_FALSE(choosePair(certs, keys));
    // Not even when only one of the two objects carries the technical label.
    EXPECT_FALSE(choosePair(certs, {key(tech, "k", true, 0)}));
    EXPECT_FALSE(choosePair({cert(tech, "c", KU_DIGITAL_SIGNATURE, 0)}, keys));
}

TEST(Pkcs11RulesTest, GenericTokensPreferDigitalSignatureOverNonRepudiationAlone) {
    const Bytes a{0xA}, b{0xB}, c{0xC};
    const std::vector certs{cert(a, "nr", KU_NON_REPUDIATION, 0), cert(b, "none", std::nullopt, 1),
                            cert(c, "ds", KU_DIGITAL_SIGNATURE, 2)};
    const std::vector keys{key(a, "", true, 0), key(b, "", true, 1), key(c, "", true, 2)};
    EXPECT_EQ(choosePair(certs, keys)->certificate, 2U);
    // Without the digitalSignature one: no keyUsage beats non-repudiation alone.
    EXPECT_EQ(choosePair({certs[0], certs[1]}, keys)->certificate, 1U);
    // Non-repudiation alone is still a last resort.
    EXPECT_EQ(choosePair({certs[0]}, keys)->certificate, 0U);
    // digitalSignature alone beats digitalSignature + nonRepudiation.
    const std::vector both{cert(a, "both", KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION, 0),
                           cert(c, "ds", KU_DIGITAL_SIGNATURE, 2)};
    EXPECT_EQ(choosePair(both, keys)->certificate, 2U);
}

TEST(Pkcs11RulesTest, PairNeedsSameIdAndSigningKey) {
    const Bytes a{0xA}, b{0xB};
    const std::vector certs{cert(a, "c", KU_DIGITAL_SIGNATURE, 0)};
    EXPECT_FALSE(choosePair(certs, {key(b, "", true, 0)}));                                     // other CKA_ID
    EXPECT_FALSE(choosePair(certs, {key(a, "", false, 0)}));                                    // CKA_SIGN false
    EXPECT_FALSE(choosePair({cert({}, "c", KU_DIGITAL_SIGNATURE, 0)}, {key({}, "", true, 0)})); // empty CKA_ID
    EXPECT_FALSE(choosePair({cert(a, "enc", KU_KEY_ENCIPHERMENT, 0)}, {key(a, "", true, 0)}));  // no signing use
    EXPECT_FALSE(choosePair({}, {key(a, "", true, 0)}));
}
