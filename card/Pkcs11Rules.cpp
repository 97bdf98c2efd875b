// SPDX-License-Identifier: EUPL-1.2
#include "card/Pkcs11Rules.h"

#include <array>
#include <cstdio>

namespace cpslock::card {

namespace {
struct RvName {
    CK_RV rv;
    const char* name;
};

// clang-format off
#define CPSLOCK_RV(x) RvName{x, #x}
// clang-format on
constexpr std::array kRvNames{
    CPSLOCK_RV(CKR_OK),
    CPSLOCK_RV(CKR_CANCEL),
    CPSLOCK_RV(CKR_HOST_MEMORY),
    CPSLOCK_RV(CKR_SLOT_ID_INVALID),
    CPSLOCK_RV(CKR_GENERAL_ERROR),
    CPSLOCK_RV(CKR_FUNCTION_FAILED),
    CPSLOCK_RV(CKR_ARGUMENTS_BAD),
    CPSLOCK_RV(CKR_CANT_LOCK),
    CPSLOCK_RV(CKR_ATTRIBUTE_SENSITIVE),
    CPSLOCK_RV(CKR_ATTRIBUTE_TYPE_INVALID),
    CPSLOCK_RV(CKR_DATA_INVALID),
    CPSLOCK_RV(CKR_DATA_LEN_RANGE),
    CPSLOCK_RV(CKR_DEVICE_ERROR),
    CPSLOCK_RV(CKR_DEVICE_MEMORY),
    CPSLOCK_RV(CKR_DEVICE_REMOVED),
    CPSLOCK_RV(CKR_FUNCTION_CANCELED),
    CPSLOCK_RV(CKR_FUNCTION_NOT_SUPPORTED),
    CPSLOCK_RV(CKR_KEY_HANDLE_INVALID),
    CPSLOCK_RV(CKR_KEY_TYPE_INCONSISTENT),
    CPSLOCK_RV(CKR_KEY_FUNCTION_NOT_PERMITTED),
    CPSLOCK_RV(CKR_MECHANISM_INVALID),
    CPSLOCK_RV(CKR_MECHANISM_PARAM_INVALID),
    CPSLOCK_RV(CKR_OBJECT_HANDLE_INVALID),
    CPSLOCK_RV(CKR_OPERATION_ACTIVE),
    CPSLOCK_RV(CKR_OPERATION_NOT_INITIALIZED),
    CPSLOCK_RV(CKR_PIN_INCORRECT),
    CPSLOCK_RV(CKR_PIN_INVALID),
    CPSLOCK_RV(CKR_PIN_LEN_RANGE),
    CPSLOCK_RV(CKR_PIN_EXPIRED),
    CPSLOCK_RV(CKR_PIN_LOCKED),
    CPSLOCK_RV(CKR_SESSION_CLOSED),
    CPSLOCK_RV(CKR_SESSION_COUNT),
    CPSLOCK_RV(CKR_SESSION_HANDLE_INVALID),
    CPSLOCK_RV(CKR_SESSION_PARALLEL_NOT_SUPPORTED),
    CPSLOCK_RV(CKR_SESSION_READ_ONLY),
    CPSLOCK_RV(CKR_SIGNATURE_INVALID),
    CPSLOCK_RV(CKR_SIGNATURE_LEN_RANGE),
    CPSLOCK_RV(CKR_TOKEN_NOT_PRESENT),
    CPSLOCK_RV(CKR_TOKEN_NOT_RECOGNIZED),
    CPSLOCK_RV(CKR_USER_ALREADY_LOGGED_IN),
    CPSLOCK_RV(CKR_USER_NOT_LOGGED_IN),
    CPSLOCK_RV(CKR_USER_PIN_NOT_INITIALIZED),
    CPSLOCK_RV(CKR_USER_TYPE_INVALID),
    CPSLOCK_RV(CKR_USER_ANOTHER_ALREADY_LOGGED_IN),
    CPSLOCK_RV(CKR_USER_TOO_MANY_TYPES),
    CPSLOCK_RV(CKR_RANDOM_NO_RNG),
    CPSLOCK_RV(CKR_BUFFER_TOO_SMALL),
    CPSLOCK_RV(CKR_CRYPTOKI_NOT_INITIALIZED),
    CPSLOCK_RV(CKR_CRYPTOKI_ALREADY_INITIALIZED),
    CPSLOCK_RV(CKR_FUNCTION_REJECTED),
    RvName{kCkrAsipBadEfActua, "CKR_ASIP_BAD_EF_ACTUA"},
    RvName{kCkrAsipReinitNeeded, "CKR_ASIP_REINIT_NEEDED"},
};
#undef CPSLOCK_RV

// KU_DIGITAL_SIGNATURE / KU_NON_REPUDIATION of OpenSSL's x509v3.h, repeated to keep this file pure.
constexpr std::uint32_t kKuDigitalSignature = 0x0080;
constexpr std::uint32_t kKuNonRepudiation = 0x0040;

} // namespace

std::string ckrName(CK_RV rv) {
    for (const auto& e : kRvNames)
        if (e.rv == rv)
            return e.name;
    char buf[32];
    (void)std::snprintf(buf, sizeof buf, "CKR_0x%lX", rv);
    return buf;
}

Pkcs11Failure failureForRv(CK_RV rv) {
    switch (rv) {
    case CKR_PIN_INCORRECT:
    case CKR_PIN_INVALID:
    case CKR_PIN_LEN_RANGE: return Pkcs11Failure::WrongPin;
    case CKR_PIN_LOCKED: return Pkcs11Failure::PinLocked;
    case CKR_USER_PIN_NOT_INITIALIZED: return Pkcs11Failure::Contactless;
    case CKR_DEVICE_REMOVED:
    case CKR_TOKEN_NOT_PRESENT:
    case CKR_SESSION_HANDLE_INVALID:
    case CKR_SESSION_CLOSED: return Pkcs11Failure::CardRemoved;
    case CKR_TOKEN_NOT_RECOGNIZED: return Pkcs11Failure::CardNotUsable;
    // Cryptolib's vendor codes. Another module's vendor code with the same value would be refused
    // with the wrong words, never accepted: these only refuse.
    case kCkrAsipBadEfActua: return Pkcs11Failure::CardNeedsUpdate;
    case kCkrAsipReinitNeeded: return Pkcs11Failure::CardNeedsReinit;
    default: return Pkcs11Failure::ModuleError;
    }
}

Pkcs11Error errorForRv(std::string_view call, CK_RV rv) {
    Pkcs11Error e = makeError(failureForRv(rv), std::string(call) + ": " + ckrName(rv));
    e.rv = rv;
    return e;
}

std::string trimPadded(std::span<const unsigned char> field) {
    std::size_t end = 0;
    while (end < field.size() && field[end] != 0)
        ++end;
    while (end > 0 && field[end - 1] == ' ')
        --end;
    return std::string(reinterpret_cast<const char*>(field.data()), end);
}

PinCounter pinCounterFromFlags(CK_FLAGS flags) {
    PinCounter c;
    c.locked = (flags & CKF_USER_PIN_LOCKED) != 0;
    c.finalTry = (flags & CKF_USER_PIN_FINAL_TRY) != 0;
    c.countLow = (flags & CKF_USER_PIN_COUNT_LOW) != 0;
    if (c.locked)
        c.triesLeft = 0U;
    else if (c.finalTry)
        c.triesLeft = 1U;
    return c;
}

std::optional<Pkcs11Error> refusalBeforeLogin(CK_FLAGS flags, FinalTryPolicy policy) {
    const PinCounter pin = pinCounterFromFlags(flags);
    if (pin.locked)
        return makeError(Pkcs11Failure::PinLocked, "token flags: CKF_USER_PIN_LOCKED", 0U);
    // A token that needs no login, or has no user PIN, proves nothing about its holder: that is the
    // contactless CPS3 (technical key only), which must never unlock a session.
    if ((flags & CKF_USER_PIN_INITIALIZED) == 0)
        return makeError(Pkcs11Failure::Contactless, "token flags: no CKF_USER_PIN_INITIALIZED (no user PIN)");
    if ((flags & CKF_LOGIN_REQUIRED) == 0)
        return makeError(Pkcs11Failure::Contactless, "token flags: no CKF_LOGIN_REQUIRED (no user PIN)");
    if (pin.finalTry && policy == FinalTryPolicy::Refuse)
        return makeError(Pkcs11Failure::LastTryRefused, "token flags: CKF_USER_PIN_FINAL_TRY", 1U);
    return std::nullopt;
}

Pkcs11Error loginFailure(CK_RV rv, CK_FLAGS flagsAfter) {
    Pkcs11Error e = errorForRv("C_Login", rv);
    if (e.failure == Pkcs11Failure::WrongPin) {
        // Tries left as the token reports them after this failed try; 0 when it has just locked.
        e.triesLeft = pinCounterFromFlags(flagsAfter).triesLeft;
        if (pinCounterFromFlags(flagsAfter).locked)
            e.detail += " (the PIN is now locked)";
    } else if (e.failure == Pkcs11Failure::PinLocked) {
        e.triesLeft = 0U;
    }
    return e;
}

Bytes sha256DigestInfo(std::span<const std::uint8_t> hash) {
    // SEQUENCE { SEQUENCE { OID 2.16.840.1.101.3.4.2.1, NULL }, OCTET STRING (32) }
    static constexpr std::uint8_t kPrefix[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                               0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
    if (hash.size() != 32)
        return {};
    Bytes out(std::begin(kPrefix), std::end(kPrefix));
    out.insert(out.end(), hash.begin(), hash.end());
    return out;
}

std::optional<PairChoice> choosePair(const std::vector<CertificateCandidate>& certificates,
                                     const std::vector<KeyCandidate>& keys) {
    // Lower rank is better; nullopt excludes the pair.
    auto rank = [](const CertificateCandidate& c, const KeyCandidate& k) -> std::optional<int> {
        if (k.label == kCpsTechKeyLabel || c.label == kCpsTechCertLabel)
            return std::nullopt;
        if (c.keyUsage && (*c.keyUsage & (kKuDigitalSignature | kKuNonRepudiation)) == 0)
            return std::nullopt;
        if (k.label == kCpsAuthKeyLabel || c.label == kCpsAuthCertLabel)
            return 0;
        if (k.label == kCpsSignKeyLabel || c.label == kCpsSignCertLabel)
            return 5;
        if (!c.keyUsage)
            return 3;
        if ((*c.keyUsage & kKuDigitalSignature) != 0)
            return (*c.keyUsage & kKuNonRepudiation) != 0 ? 2 : 1;
        return 4; // non-repudiation alone
    };
    std::optional<PairChoice> best;
    int bestRank = 0;
    for (const auto& k : keys) {
        if (!k.canSign || k.id.empty())
            continue;
        for (const auto& c : certificates) {
            if (c.id != k.id)
                continue;
            const auto r = rank(c, k);
            if (r && (!best || *r < bestRank)) {
                best = PairChoice{c.index, k.index};
                bestRank = *r;
            }
        }
    }
    return best;
}

} // namespace cpslock::card
