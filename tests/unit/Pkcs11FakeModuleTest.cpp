// SPDX-License-Identifier: EUPL-1.2
// The PKCS#11 check against a scripted in-process module: the token states SoftHSM cannot show
// (locked PIN, final try, contactless, removal mid-way) and modules that answer garbage.

#include "card/CardPossession.h"
#include "card/Pkcs11Module.h"
#include "card/Pkcs11Token.h"
#include "core/SecureBuffer.h"

#include "Pkcs11TestKeys.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <string_view>

using namespace cpslock;
using namespace cpslock::card;

namespace {

constexpr CK_SESSION_HANDLE kSession = 7;
constexpr CK_FLAGS kUsableToken = CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED | CKF_TOKEN_INITIALIZED;

Bytes ulongBytes(unsigned long v) {
    Bytes b(sizeof v);
    std::memcpy(b.data(), &v, sizeof v);
    return b;
}
Bytes text(std::string_view s) {
    return Bytes(s.begin(), s.end());
}

struct FakeObject {
    std::map<CK_ATTRIBUTE_TYPE, Bytes> attributes;
};

// Everything the fake module does is decided here; one instance per test (g_fake).
struct FakeToken {
    CK_RV initializeRv = CKR_OK;
    int finalizeCalls = 0;
    std::vector<CK_SLOT_ID> slots{4};
    std::string slotDescription = "Lecteur CPS 00 00";
    CK_RV slotInfoRv = CKR_OK;  // OpenSC: a card its driver could not connect to
    bool tokenPresent = true;   // Cryptolib: the token of a card it does not recognise is hidden
    CK_RV tokenInfoRv = CKR_OK; // OpenSC: CKR_TOKEN_NOT_RECOGNIZED
    CK_RV openSessionRv = CKR_OK;
    CK_BBOOL slotListTokenPresent = CK_TRUE;      // what the caller asked C_GetSlotList
    std::vector<unsigned long> signBufferLengths; // pSignature buffer sizes given to C_Sign
    std::string serial = "9921384501";
    CK_FLAGS flags = kUsableToken;
    CK_FLAGS flagsAfterFailedLogin = kUsableToken | CKF_USER_PIN_COUNT_LOW;
    std::string pin = "1234";
    CK_RV loginRv = CKR_OK; // forced answer when not CKR_OK
    bool alreadyLoggedInOnce = false;
    int loginCalls = 0;
    int logoutCalls = 0;
    bool loggedIn = false;
    int signCalls = 0;
    CK_RV signRv = CKR_OK;
    bool sha256ListedButRefused = false; // C_SignInit answers CKR_MECHANISM_INVALID for it
    std::vector<CK_MECHANISM_TYPE> mechanisms{CKM_RSA_PKCS, CKM_SHA256_RSA_PKCS};
    std::vector<FakeObject> objects; // handle = index + 1
    EVP_PKEY* signingKey = nullptr;  // the key the card really holds
    CK_MECHANISM_TYPE activeMechanism = 0;
    CK_MECHANISM_TYPE usedMechanism = 0;
    // Garbage knobs.
    unsigned long slotCountLie = 0;
    unsigned long attributeLengthLie = 0;  // CKA_VALUE length announced by the sizing call
    unsigned long attributeWrittenLie = 0; // CKA_VALUE length claimed after filling the buffer
    bool attributeAlwaysTooSmall = false;
    unsigned long findObjectsLie = 0;
    unsigned long signLengthLie = 0;
    std::vector<CK_OBJECT_HANDLE> pendingFind;
};
FakeToken* g_fake = nullptr;

CK_RV fakeInitialize(void*) {
    return g_fake->initializeRv;
}
CK_RV fakeFinalize(void*) {
    ++g_fake->finalizeCalls;
    return CKR_OK;
}
CK_RV fakeGetSlotList(CK_BBOOL tokenPresent, CK_SLOT_ID* list, CK_ULONG* count) {
    g_fake->slotListTokenPresent = tokenPresent;
    const unsigned long n = g_fake->slotCountLie != 0 ? g_fake->slotCountLie : g_fake->slots.size();
    if (list == nullptr) {
        *count = n;
        return CKR_OK;
    }
    if (*count < g_fake->slots.size()) {
        *count = n;
        return CKR_BUFFER_TOO_SMALL;
    }
    std::copy(g_fake->slots.begin(), g_fake->slots.end(), list);
    *count = g_fake->slots.size();
    return CKR_OK;
}
void padded(unsigned char* field, std::size_t size, std::string_view value) {
    std::memset(field, ' ', size);
    std::memcpy(field, value.data(), std::min(size, value.size()));
}
CK_RV fakeGetSlotInfo(CK_SLOT_ID, CK_SLOT_INFO* info) {
    if (g_fake->slotInfoRv != CKR_OK)
        return g_fake->slotInfoRv;
    *info = {};
    padded(info->slotDescription, sizeof info->slotDescription, g_fake->slotDescription);
    info->flags = (g_fake->tokenPresent ? CKF_TOKEN_PRESENT : 0) | CKF_REMOVABLE_DEVICE | CKF_HW_SLOT;
    return CKR_OK;
}
CK_RV fakeGetTokenInfo(CK_SLOT_ID, CK_TOKEN_INFO* info) {
    if (g_fake->tokenInfoRv != CKR_OK)
        return g_fake->tokenInfoRv;
    *info = {};
    padded(info->label, sizeof info->label, "CPS DE TEST");
    padded(info->serialNumber, sizeof info->serialNumber, g_fake->serial);
    info->flags = g_fake->flags;
    return CKR_OK;
}
CK_RV fakeGetMechanismList(CK_SLOT_ID, CK_MECHANISM_TYPE* list, CK_ULONG* count) {
    if (list == nullptr) {
        *count = g_fake->mechanisms.size();
        return CKR_OK;
    }
    std::copy(g_fake->mechanisms.begin(), g_fake->mechanisms.end(), list);
    *count = g_fake->mechanisms.size();
    return CKR_OK;
}
CK_RV fakeGetMechanismInfo(CK_SLOT_ID, CK_MECHANISM_TYPE, CK_MECHANISM_INFO* info) {
    *info = {1024, 4096, CKF_SIGN};
    return CKR_OK;
}
CK_RV fakeOpenSession(CK_SLOT_ID, CK_FLAGS, void*, CK_NOTIFY, CK_SESSION_HANDLE* session) {
    if (g_fake->openSessionRv != CKR_OK)
        return g_fake->openSessionRv;
    *session = kSession;
    return CKR_OK;
}
CK_RV fakeCloseSession(CK_SESSION_HANDLE) {
    return CKR_OK;
}
CK_RV fakeLogin(CK_SESSION_HANDLE, CK_USER_TYPE, CK_UTF8CHAR* pin, CK_ULONG length) {
    ++g_fake->loginCalls;
    if (g_fake->alreadyLoggedInOnce) {
        g_fake->alreadyLoggedInOnce = false;
        return CKR_USER_ALREADY_LOGGED_IN;
    }
    if (g_fake->loginRv != CKR_OK)
        return g_fake->loginRv;
    if (std::string_view(reinterpret_cast<const char*>(pin), length) != g_fake->pin) {
        g_fake->flags = g_fake->flagsAfterFailedLogin;
        return CKR_PIN_INCORRECT;
    }
    g_fake->loggedIn = true;
    return CKR_OK;
}
CK_RV fakeLogout(CK_SESSION_HANDLE) {
    ++g_fake->logoutCalls;
    g_fake->loggedIn = false;
    return CKR_OK;
}
CK_RV fakeGetAttributeValue(CK_SESSION_HANDLE, CK_OBJECT_HANDLE object, CK_ATTRIBUTE* tmpl, CK_ULONG count) {
    if (object == 0 || object > g_fake->objects.size())
        return CKR_OBJECT_HANDLE_INVALID;
    const auto& attrs = g_fake->objects[object - 1].attributes;
    CK_RV rv = CKR_OK;
    for (CK_ULONG i = 0; i < count; ++i) {
        const auto it = attrs.find(tmpl[i].type);
        if (it == attrs.end()) {
            tmpl[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
            rv = CKR_ATTRIBUTE_TYPE_INVALID;
            continue;
        }
        const bool isValue = tmpl[i].type == CKA_VALUE;
        if (tmpl[i].pValue == nullptr) {
            tmpl[i].ulValueLen =
                isValue && g_fake->attributeLengthLie != 0 ? g_fake->attributeLengthLie : it->second.size();
            continue;
        }
        if (g_fake->attributeAlwaysTooSmall || tmpl[i].ulValueLen < it->second.size()) {
            tmpl[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
            rv = CKR_BUFFER_TOO_SMALL;
            continue;
        }
        std::memcpy(tmpl[i].pValue, it->second.data(), it->second.size());
        tmpl[i].ulValueLen =
            isValue && g_fake->attributeWrittenLie != 0 ? g_fake->attributeWrittenLie : it->second.size();
    }
    return rv;
}
CK_RV fakeFindObjectsInit(CK_SESSION_HANDLE, CK_ATTRIBUTE* tmpl, CK_ULONG count) {
    g_fake->pendingFind.clear();
    for (std::size_t h = 0; h < g_fake->objects.size(); ++h) {
        bool match = true;
        for (CK_ULONG i = 0; i < count; ++i) {
            const auto it = g_fake->objects[h].attributes.find(tmpl[i].type);
            match = match && it != g_fake->objects[h].attributes.end() && it->second.size() == tmpl[i].ulValueLen &&
                    std::memcmp(it->second.data(), tmpl[i].pValue, tmpl[i].ulValueLen) == 0;
        }
        if (match)
            g_fake->pendingFind.push_back(h + 1);
    }
    return CKR_OK;
}
CK_RV fakeFindObjects(CK_SESSION_HANDLE, CK_OBJECT_HANDLE* out, CK_ULONG max, CK_ULONG* count) {
    if (g_fake->findObjectsLie != 0) {
        *count = g_fake->findObjectsLie; // more than max: garbage
        return CKR_OK;
    }
    const std::size_t n = std::min<std::size_t>(max, g_fake->pendingFind.size());
    std::copy_n(g_fake->pendingFind.begin(), n, out);
    g_fake->pendingFind.erase(g_fake->pendingFind.begin(), g_fake->pendingFind.begin() + static_cast<long>(n));
    *count = n;
    return CKR_OK;
}
CK_RV fakeFindObjectsFinal(CK_SESSION_HANDLE) {
    return CKR_OK;
}
CK_RV fakeSignInit(CK_SESSION_HANDLE, CK_MECHANISM* mechanism, CK_OBJECT_HANDLE) {
    if (g_fake->sha256ListedButRefused && mechanism->mechanism == CKM_SHA256_RSA_PKCS)
        return CKR_MECHANISM_INVALID;
    g_fake->activeMechanism = mechanism->mechanism;
    return CKR_OK;
}
CK_RV fakeSign(CK_SESSION_HANDLE, CK_BYTE* data, CK_ULONG length, CK_BYTE* signature, CK_ULONG* signatureLength) {
    // Like a careless module (pam_p11 PR #32): signs whether or not the login succeeded.
    ++g_fake->signCalls;
    if (g_fake->signRv != CKR_OK)
        return g_fake->signRv;
    const Bytes input(data, data + length);
    const Bytes sig = g_fake->activeMechanism == CKM_SHA256_RSA_PKCS ? testkeys::signSha256(g_fake->signingKey, input)
                                                                     : testkeys::signRaw(g_fake->signingKey, input);
    if (signature != nullptr)
        g_fake->signBufferLengths.push_back(*signatureLength);
    if (signature == nullptr) {
        *signatureLength = g_fake->signLengthLie != 0 ? g_fake->signLengthLie : sig.size();
        return CKR_OK;
    }
    if (*signatureLength < sig.size())
        return CKR_BUFFER_TOO_SMALL;
    std::memcpy(signature, sig.data(), sig.size());
    *signatureLength = sig.size();
    g_fake->usedMechanism = g_fake->activeMechanism;
    return CKR_OK;
}

CK_FUNCTION_LIST fakeFunctionList() {
    CK_FUNCTION_LIST f{};
    f.version = {2, 40};
    f.C_Initialize = fakeInitialize;
    f.C_Finalize = fakeFinalize;
    f.C_GetSlotList = fakeGetSlotList;
    f.C_GetSlotInfo = fakeGetSlotInfo;
    f.C_GetTokenInfo = fakeGetTokenInfo;
    f.C_GetMechanismList = fakeGetMechanismList;
    f.C_GetMechanismInfo = fakeGetMechanismInfo;
    f.C_OpenSession = fakeOpenSession;
    f.C_CloseSession = fakeCloseSession;
    f.C_Login = fakeLogin;
    f.C_Logout = fakeLogout;
    f.C_GetAttributeValue = fakeGetAttributeValue;
    f.C_FindObjectsInit = fakeFindObjectsInit;
    f.C_FindObjects = fakeFindObjects;
    f.C_FindObjectsFinal = fakeFindObjectsFinal;
    f.C_SignInit = fakeSignInit;
    f.C_Sign = fakeSign;
    return f;
}

class Pkcs11FakeModuleTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        s_cardKey = testkeys::rsaKey(2048).release();
        s_otherKey = testkeys::rsaKey(2048).release();
    }
    static void TearDownTestSuite() {
        EVP_PKEY_free(s_cardKey);
        EVP_PKEY_free(s_otherKey);
    }

    void SetUp() override {
        g_fake = &m_token;
        m_token.signingKey = s_cardKey;
        addPair(Bytes{0x01}, "CPS_PRIV_AUT", "Certificat d'Authentification CPS", s_cardKey);
    }
    void TearDown() override { g_fake = nullptr; }

    void addPair(const Bytes& id, std::string_view keyLabel, std::string_view certLabel, EVP_PKEY* certKey,
                 const std::string& keyUsage = "critical,digitalSignature") {
        FakeObject cert;
        cert.attributes[CKA_CLASS] = ulongBytes(CKO_CERTIFICATE);
        cert.attributes[CKA_CERTIFICATE_TYPE] = ulongBytes(CKC_X_509);
        cert.attributes[CKA_ID] = id;
        cert.attributes[CKA_LABEL] = text(certLabel);
        cert.attributes[CKA_VALUE] = testkeys::certificate(certKey, keyUsage);
        m_token.objects.push_back(cert);
        FakeObject key;
        key.attributes[CKA_CLASS] = ulongBytes(CKO_PRIVATE_KEY);
        key.attributes[CKA_KEY_TYPE] = ulongBytes(CKK_RSA);
        key.attributes[CKA_ID] = id;
        key.attributes[CKA_LABEL] = text(keyLabel);
        key.attributes[CKA_SIGN] = Bytes{1};
        m_token.objects.push_back(key);
    }

    std::unique_ptr<Pkcs11Module> module() {
        auto m = Pkcs11Module::fromFunctionList(&m_functions, "fake");
        EXPECT_TRUE(m) << (m ? "" : m.error().detail);
        return m ? std::move(m.value()) : nullptr;
    }

    Pkcs11Result<PossessionProof> prove(std::string_view pinText, FinalTryPolicy policy = FinalTryPolicy::Refuse,
                                        TokenSelector selector = {"Lecteur CPS 00 00", ""}) {
        auto m = module();
        if (!m)
            return makeError(Pkcs11Failure::ModuleError, "fake module did not load");
        SecureBuffer pin;
        for (char c : pinText)
            pin.append(c);
        auto result = proveCardPossession(*m, selector, pin, PossessionOptions{policy});
        m_pinWiped = pin.empty() && std::all_of(pin.storageForTest().begin(), pin.storageForTest().end(),
                                                [](unsigned char c) { return c == 0; });
        return result;
    }

    static EVP_PKEY* s_cardKey;
    static EVP_PKEY* s_otherKey;
    FakeToken m_token;
    CK_FUNCTION_LIST m_functions = fakeFunctionList();
    bool m_pinWiped = false;
};
EVP_PKEY* Pkcs11FakeModuleTest::s_cardKey = nullptr;
EVP_PKEY* Pkcs11FakeModuleTest::s_otherKey = nullptr;

Pkcs11Failure failureOf(const Pkcs11Result<PossessionProof>& r) {
    EXPECT_FALSE(r) << "expected a refusal";
    return r ? Pkcs11Failure::ModuleError : r.error().failure;
}

} // namespace

TEST_F(Pkcs11FakeModuleTest, RightPinAndMatchingKeyProvePossession) {
    auto r = prove("1234");
    ASSERT_TRUE(r) << r.error().detail;
    EXPECT_EQ(r.value().keyLabel, "CPS_PRIV_AUT");
    EXPECT_EQ(r.value().token.token.serial, "9921384501");
    EXPECT_EQ(r.value().token.matchedBy, TokenSlot::MatchedBy::ReaderName);
    // CKM_RSA_PKCS over a SHA-256 DigestInfo even when CKM_SHA256_RSA_PKCS is listed: the only
    // mechanism Cryptolib and OpenSC both allow on a CPS authentication key (issue 12).
    EXPECT_EQ(r.value().mechanism, CKM_RSA_PKCS);
    EXPECT_EQ(m_token.usedMechanism, CKM_RSA_PKCS);
    EXPECT_FALSE(r.value().finalTryWarning);
    EXPECT_EQ(m_token.signCalls, 2); // length, then signature
    EXPECT_TRUE(m_pinWiped);
    EXPECT_EQ(m_token.logoutCalls, 1); // the session logs out when closed
}

TEST_F(Pkcs11FakeModuleTest, FailedLoginNeverReachesTheSignature_PamP11Pr32) {
    auto r = prove("0000");
    EXPECT_EQ(failureOf(r), Pkcs11Failure::WrongPin);
    EXPECT_EQ(m_token.signCalls, 0);
    EXPECT_TRUE(m_pinWiped);
}

TEST_F(Pkcs11FakeModuleTest, EmptyPinIsNotSentToTheCard) {
    EXPECT_EQ(failureOf(prove("")), Pkcs11Failure::WrongPin);
    EXPECT_EQ(m_token.loginCalls, 0);
}

TEST_F(Pkcs11FakeModuleTest, LockedPinIsRefusedWithoutTrying) {
    m_token.flags |= CKF_USER_PIN_LOCKED;
    auto r = prove("1234", FinalTryPolicy::Warn);
    EXPECT_EQ(failureOf(r), Pkcs11Failure::PinLocked);
    EXPECT_EQ(r.error().triesLeft, 0U);
    EXPECT_EQ(m_token.loginCalls, 0);
    EXPECT_TRUE(m_pinWiped);
}

TEST_F(Pkcs11FakeModuleTest, FinalTryIsRefusedWithoutTryingWhenPolicySaysSo) {
    m_token.flags |= CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY;
    auto r = prove("1234", FinalTryPolicy::Refuse);
    EXPECT_EQ(failureOf(r), Pkcs11Failure::LastTryRefused);
    EXPECT_EQ(r.error().triesLeft, 1U);
    EXPECT_EQ(m_token.loginCalls, 0);
    EXPECT_TRUE(m_pinWiped);
}

TEST_F(Pkcs11FakeModuleTest, FinalTryIsAllowedWithAWarningWhenPolicySaysSo) {
    m_token.flags |= CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY;
    auto r = prove("1234", FinalTryPolicy::Warn);
    ASSERT_TRUE(r) << r.error().detail;
    EXPECT_TRUE(r.value().finalTryWarning);
}

TEST_F(Pkcs11FakeModuleTest, WrongPinReportsTheTriesTheTokenAnnounces) {
    m_token.flagsAfterFailedLogin = kUsableToken | CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY;
    auto r = prove("9999");
    EXPECT_EQ(failureOf(r), Pkcs11Failure::WrongPin);
    EXPECT_EQ(r.error().triesLeft, 1U);
}

TEST_F(Pkcs11FakeModuleTest, WrongPinThatLocksTheCardSaysNoTriesLeft) {
    m_token.flagsAfterFailedLogin = kUsableToken | CKF_USER_PIN_LOCKED;
    auto r = prove("9999");
    EXPECT_EQ(failureOf(r), Pkcs11Failure::WrongPin);
    EXPECT_EQ(r.error().triesLeft, 0U);
}

TEST_F(Pkcs11FakeModuleTest, PinLockedAnswerFromLogin) {
    m_token.loginRv = CKR_PIN_LOCKED;
    EXPECT_EQ(failureOf(prove("1234")), Pkcs11Failure::PinLocked);
}

TEST_F(Pkcs11FakeModuleTest, ContactlessCardWithoutPinIsRefused) {
    m_token.loginRv = CKR_USER_PIN_NOT_INITIALIZED;
    EXPECT_EQ(failureOf(prove("1234")), Pkcs11Failure::Contactless);
    EXPECT_EQ(m_token.signCalls, 0);
}

TEST_F(Pkcs11FakeModuleTest, TokenWithOnlyTheTechnicalKeyIsContactless) {
    m_token.objects.clear();
    addPair(Bytes{0x03}, "CPS_PRIV_TECH_AUT", "Certificat Technique CPS", s_cardKey);
    EXPECT_EQ(failureOf(prove("1234")), Pkcs11Failure::Contactless);
    EXPECT_EQ(m_token.signCalls, 0);
}

TEST_F(Pkcs11FakeModuleTest, AlreadyLoggedInSessionMustLogInAgain) {
    m_token.alreadyLoggedInOnce = true;
    EXPECT_EQ(failureOf(prove("0000")), Pkcs11Failure::WrongPin); // the stale login does not count
    EXPECT_EQ(m_token.loginCalls, 2);
    EXPECT_GE(m_token.logoutCalls, 1);
}

TEST_F(Pkcs11FakeModuleTest, CertificateOfAnotherKeyIsKeyMismatch_Cve2025_24032) {
    m_token.objects.clear();
    addPair(Bytes{0x01}, "CPS_PRIV_AUT", "Certificat d'Authentification CPS", s_otherKey);
    EXPECT_EQ(failureOf(prove("1234")), Pkcs11Failure::KeyMismatch);
}

TEST_F(Pkcs11FakeModuleTest, PrefersTheAuthenticationKeyOverTheSignatureKey) {
    m_token.objects.clear();
    addPair(Bytes{0x02}, "CPS_PRIV_SIG", "Certificat de Signature CPS", s_otherKey, "critical,nonRepudiation");
    addPair(Bytes{0x01}, "CPS_PRIV_AUT", "Certificat d'Authentification CPS", s_cardKey);
    auto r = prove("1234");
    ASSERT_TRUE(r) << r.error().detail;
    EXPECT_EQ(r.value().keyLabel, "CPS_PRIV_AUT");
    EXPECT_EQ(r.value().keyId, Bytes{0x01});
}

TEST_F(Pkcs11FakeModuleTest, FallsBackToRsaPkcsOverDigestInfo) {
    m_token.mechanisms = {CKM_RSA_PKCS};
    auto r = prove("1234");
    ASSERT_TRUE(r) << r.error().detail;
    EXPECT_EQ(r.value().mechanism, CKM_RSA_PKCS);
    EXPECT_EQ(m_token.usedMechanism, CKM_RSA_PKCS);
}

TEST_F(Pkcs11FakeModuleTest, NeverTriesCkmSha256RsaPkcsEvenWhenListed) {
    // Cryptolib lists it yet answers CKR_KEY_TYPE_INCONSISTENT on the authentication key.
    m_token.sha256ListedButRefused = true;
    auto r = prove("1234");
    ASSERT_TRUE(r) << r.error().detail;
    EXPECT_EQ(r.value().mechanism, CKM_RSA_PKCS);
    EXPECT_EQ(m_token.signCalls, 2);
}

TEST_F(Pkcs11FakeModuleTest, SignBufferIsExactlyTheAnnouncedLength) {
    // Cryptolib's CPS4 driver fails C_Sign with CKR_ARGUMENTS_BAD for a buffer of 512 bytes or more.
    auto r = prove("1234");
    ASSERT_TRUE(r) << r.error().detail;
    ASSERT_EQ(m_token.signBufferLengths.size(), 1U);
    EXPECT_EQ(m_token.signBufferLengths.front(), 256U);
}

TEST_F(Pkcs11FakeModuleTest, CardRemovedWhileSigning) {
    for (CK_RV rv : {CKR_DEVICE_REMOVED, CKR_TOKEN_NOT_PRESENT, CKR_SESSION_HANDLE_INVALID}) {
        m_token.signRv = rv;
        EXPECT_EQ(failureOf(prove("1234")), Pkcs11Failure::CardRemoved) << ckrName(rv);
    }
}

TEST_F(Pkcs11FakeModuleTest, NeverIdentifiesTheCardByTokenSerial_Issue12) {
    // The token serial is 8 digits in Cryptolib and 16 hex digits in OpenSC for the same card: a slot
    // not named after the reader is never taken for the card, whatever its serial.
    EXPECT_EQ(failureOf(prove("1234", FinalTryPolicy::Refuse, {"Another reader", "9921384501"})),
              Pkcs11Failure::NoCard);
    EXPECT_EQ(m_token.loginCalls, 0);
}

TEST_F(Pkcs11FakeModuleTest, HiddenTokenOfTheReaderIsCardNotUsable) {
    // Cryptolib (hide_empty_tokens): the reader's slot without a token while PC/SC sees the CPS.
    m_token.tokenPresent = false;
    auto r = prove("1234");
    EXPECT_EQ(failureOf(r), Pkcs11Failure::CardNotUsable);
    EXPECT_EQ(m_token.slotListTokenPresent, CK_FALSE); // every slot was listed, not only those with a token
    EXPECT_EQ(m_token.loginCalls, 0);
    EXPECT_TRUE(m_pinWiped);
}

TEST_F(Pkcs11FakeModuleTest, UnrecognisedTokenOrIndescribableSlotIsCardNotUsable) {
    m_token.tokenInfoRv = CKR_TOKEN_NOT_RECOGNIZED; // OpenSC, a card no driver could bind
    EXPECT_EQ(failureOf(prove("1234")), Pkcs11Failure::CardNotUsable);
    m_token.tokenInfoRv = CKR_DEVICE_ERROR;
    EXPECT_EQ(failureOf(prove("1234")), Pkcs11Failure::CardNotUsable);
    m_token.tokenInfoRv = CKR_OK;
    m_token.slotInfoRv = CKR_DATA_INVALID; // OpenSC 0.23, a card its iasecc driver failed to connect to
    auto r = prove("1234");
    EXPECT_EQ(failureOf(r), Pkcs11Failure::CardNotUsable);
    EXPECT_NE(r.error().detail.find("CKR_DATA_INVALID"), std::string::npos) << r.error().detail;
    EXPECT_EQ(m_token.loginCalls, 0);
}

TEST_F(Pkcs11FakeModuleTest, CryptolibVendorCodesHaveTheirOwnReasons) {
    m_token.openSessionRv = kCkrAsipBadEfActua;
    auto update = prove("1234");
    EXPECT_EQ(failureOf(update), Pkcs11Failure::CardNeedsUpdate);
    EXPECT_NE(update.error().detail.find("CKR_ASIP_BAD_EF_ACTUA"), std::string::npos) << update.error().detail;
    m_token.openSessionRv = kCkrAsipReinitNeeded;
    EXPECT_EQ(failureOf(prove("1234")), Pkcs11Failure::CardNeedsReinit);
    m_token.openSessionRv = CKR_OK;
    m_token.loginRv = kCkrAsipBadEfActua;
    EXPECT_EQ(failureOf(prove("1234")), Pkcs11Failure::CardNeedsUpdate);
    EXPECT_EQ(m_token.signCalls, 0);
}

TEST_F(Pkcs11FakeModuleTest, NoTokenForReaderOrSerialIsNoCard) {
    EXPECT_EQ(failureOf(prove("1234", FinalTryPolicy::Refuse, {"Another reader", "0000000000"})),
              Pkcs11Failure::NoCard);
    EXPECT_EQ(failureOf(prove("1234", FinalTryPolicy::Refuse, {"", ""})), Pkcs11Failure::NoCard);
    EXPECT_TRUE(m_pinWiped);
    m_token.slots.clear();
    EXPECT_EQ(failureOf(prove("1234")), Pkcs11Failure::NoCard);
    EXPECT_EQ(m_token.loginCalls, 0);
}

TEST_F(Pkcs11FakeModuleTest, ReaderNameLongerThanTheSlotFieldStillMatches) {
    const std::string longName = "Identiv uTrust 2700 R Smart Card Reader [CCID Interface] (55041732114423) 00 00";
    ASSERT_GT(longName.size(), 64U);
    m_token.slotDescription = longName; // the fake truncates it to 64 bytes, as modules do
    auto r = prove("1234", FinalTryPolicy::Refuse, {longName, ""});
    ASSERT_TRUE(r) << r.error().detail;
    EXPECT_EQ(r.value().token.matchedBy, TokenSlot::MatchedBy::ReaderName);
}

TEST_F(Pkcs11FakeModuleTest, GarbageSlotCountIsModuleError) {
    m_token.slotCountLie = 1UL << 40;
    EXPECT_EQ(failureOf(prove("1234")), Pkcs11Failure::ModuleError);
}

TEST_F(Pkcs11FakeModuleTest, SlotListThatKeepsGrowingIsModuleError) {
    m_token.slots = {1, 2};
    m_token.slotCountLie = 1; // announces 1, then finds the buffer too small, forever
    EXPECT_EQ(failureOf(prove("1234")), Pkcs11Failure::ModuleError);
}

TEST_F(Pkcs11FakeModuleTest, HugeAttributeLengthIsModuleError) {
    m_token.attributeLengthLie = 1UL << 40;
    EXPECT_EQ(failureOf(prove("1234")), Pkcs11Failure::ModuleError);
}

TEST_F(Pkcs11FakeModuleTest, AttributeWrittenBeyondItsBufferIsModuleError) {
    // Announces the right size, then claims more was written: the length must not be trusted.
    m_token.attributeWrittenLie = m_token.objects[0].attributes[CKA_VALUE].size() + 100;
    EXPECT_EQ(failureOf(prove("1234")), Pkcs11Failure::ModuleError);
}

TEST_F(Pkcs11FakeModuleTest, EndlessBufferTooSmallIsModuleError) {
    m_token.attributeAlwaysTooSmall = true;
    EXPECT_EQ(failureOf(prove("1234")), Pkcs11Failure::ModuleError);
}

TEST_F(Pkcs11FakeModuleTest, FindObjectsOverflowIsModuleError) {
    m_token.findObjectsLie = 1000;
    EXPECT_EQ(failureOf(prove("1234")), Pkcs11Failure::ModuleError);
}

TEST_F(Pkcs11FakeModuleTest, AbsurdSignatureLengthIsModuleError) {
    m_token.signLengthLie = 1UL << 20;
    EXPECT_EQ(failureOf(prove("1234")), Pkcs11Failure::ModuleError);
}

TEST_F(Pkcs11FakeModuleTest, MissingAttributesSkipTheObject) {
    m_token.objects[0].attributes.erase(CKA_VALUE); // certificate without its DER
    auto r = prove("1234");
    EXPECT_EQ(failureOf(r), Pkcs11Failure::ModuleError);
    EXPECT_EQ(m_token.signCalls, 0);
}

TEST_F(Pkcs11FakeModuleTest, InitializeFailureIsModuleErrorWithItsName) {
    m_token.initializeRv = CKR_GENERAL_ERROR;
    auto m = Pkcs11Module::fromFunctionList(&m_functions, "fake");
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().failure, Pkcs11Failure::ModuleError);
    EXPECT_NE(m.error().detail.find("CKR_GENERAL_ERROR"), std::string::npos);
}

TEST_F(Pkcs11FakeModuleTest, AlreadyInitializedModuleIsUsedButNotFinalized) {
    m_token.initializeRv = CKR_CRYPTOKI_ALREADY_INITIALIZED;
    {
        auto m = Pkcs11Module::fromFunctionList(&m_functions, "fake");
        ASSERT_TRUE(m);
        EXPECT_FALSE(m.value()->ownsInitialization());
    }
    EXPECT_EQ(m_token.finalizeCalls, 0);
    m_token.initializeRv = CKR_OK;
    {
        auto m = Pkcs11Module::fromFunctionList(&m_functions, "fake");
        ASSERT_TRUE(m);
    }
    EXPECT_EQ(m_token.finalizeCalls, 1);
}

TEST_F(Pkcs11FakeModuleTest, FunctionListWithoutAFunctionIsRefused) {
    m_functions.C_Sign = nullptr;
    auto m = Pkcs11Module::fromFunctionList(&m_functions, "fake");
    ASSERT_FALSE(m);
    EXPECT_NE(m.error().detail.find("C_Sign"), std::string::npos);
    EXPECT_FALSE(Pkcs11Module::fromFunctionList(nullptr, "null"));
    m_functions = fakeFunctionList();
    m_functions.version = {1, 0};
    EXPECT_FALSE(Pkcs11Module::fromFunctionList(&m_functions, "old"));
}
