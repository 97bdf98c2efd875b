// SPDX-License-Identifier: EUPL-1.2
#include "card/Pkcs11Token.h"

#include "card/OpenSslPtr.h"
#include "core/SecureBuffer.h"

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstring>
#include <utility>

namespace cpslock::card {

namespace {
constexpr int kMaxSizeRetries = 3;
constexpr unsigned long kFindBatch = 32;
constexpr unsigned long kSlotDescriptionSize = 64;

Pkcs11Error garbage(const std::string& what) {
    return makeError(Pkcs11Failure::ModuleError, "bad module answer: " + what);
}

std::string hexType(unsigned long v) {
    char buf[24];
    (void)std::snprintf(buf, sizeof buf, "0x%lX", v);
    return buf;
}

// Reader names longer than the 64-byte slot description field arrive truncated.
bool sameReader(const std::string& description, const std::string& readerName) {
    if (readerName.empty())
        return false;
    if (description == readerName)
        return true;
    if (readerName.size() <= kSlotDescriptionSize)
        return false;
    const auto* head = reinterpret_cast<const unsigned char*>(readerName.data());
    return description == trimPadded({head, kSlotDescriptionSize});
}

X509Ptr parseX509(const Bytes& der) {
    const unsigned char* p = der.data();
    return X509Ptr(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
}

std::optional<std::uint32_t> keyUsageOf(const Bytes& der) {
    const X509Ptr cert = parseX509(der);
    if (!cert)
        return std::nullopt;
    if ((X509_get_extension_flags(cert.get()) & EXFLAG_KUSAGE) == 0)
        return std::nullopt;
    return X509_get_key_usage(cert.get());
}

bool parsesAsX509(const Bytes& der) {
    return parseX509(der) != nullptr;
}

unsigned long ulongFrom(const Bytes& b) {
    unsigned long v = 0;
    if (b.size() == sizeof v)
        std::memcpy(&v, b.data(), sizeof v);
    return v;
}

// Two-call pattern for the list functions (slots, mechanisms): size, then fill, with an upper bound
// and a bounded number of CKR_BUFFER_TOO_SMALL retries (the list may grow between the calls).
template <typename T, typename Call>
Pkcs11Result<std::vector<T>> boundedList(const char* name, unsigned long maxCount, Call call) {
    for (int attempt = 0; attempt < kMaxSizeRetries; ++attempt) {
        unsigned long count = 0;
        CK_RV rv = call(nullptr, &count);
        if (rv != CKR_OK)
            return errorForRv(name, rv);
        if (count > maxCount)
            return garbage(std::string(name) + " announces " + std::to_string(count) + " entries");
        std::vector<T> items(count);
        if (count == 0)
            return items;
        unsigned long filled = count;
        rv = call(items.data(), &filled);
        if (rv == CKR_BUFFER_TOO_SMALL)
            continue;
        if (rv != CKR_OK)
            return errorForRv(name, rv);
        if (filled > count)
            return garbage(std::string(name) + " wrote " + std::to_string(filled) + " entries into " +
                           std::to_string(count));
        items.resize(filled);
        return items;
    }
    return garbage(std::string(name) + " keeps answering CKR_BUFFER_TOO_SMALL");
}
} // namespace

Pkcs11Result<TokenDescription> readTokenInfo(const Pkcs11Module& module, CK_SLOT_ID slot) {
    CK_TOKEN_INFO info{};
    const CK_RV rv = module.functions().C_GetTokenInfo(slot, &info);
    if (rv != CKR_OK)
        return errorForRv("C_GetTokenInfo", rv);
    TokenDescription d;
    d.label = trimPadded(info.label);
    d.manufacturer = trimPadded(info.manufacturerID);
    d.model = trimPadded(info.model);
    d.serial = trimPadded(info.serialNumber);
    d.flags = info.flags;
    return d;
}

Pkcs11Result<TokenSlot> findTokenSlot(const Pkcs11Module& module, const TokenSelector& selector) {
    const auto& f = module.functions();
    // Every slot, with a token or not: a slot named after the reader without a token is how
    // Cryptolib shows a card it cannot use (hide_empty_tokens), which is not "no card".
    auto slots = boundedList<CK_SLOT_ID>("C_GetSlotList", kMaxSlots, [&](CK_SLOT_ID* list, unsigned long* n) {
        return f.C_GetSlotList(CK_FALSE, list, n);
    });
    if (!slots)
        return slots.error();

    std::optional<Pkcs11Error> unusable;
    for (const CK_SLOT_ID slot : slots.value()) {
        CK_SLOT_INFO info{};
        const CK_RV rv = f.C_GetSlotInfo(slot, &info);
        if (rv != CKR_OK) {
            // OpenSC answers so for a card its driver failed to connect to: it may be ours.
            if (!unusable)
                unusable = makeError(Pkcs11Failure::CardNotUsable, "C_GetSlotInfo: " + ckrName(rv));
            continue;
        }
        const std::string description = trimPadded(info.slotDescription);
        if (!sameReader(description, selector.readerName))
            continue;
        if ((info.flags & CKF_TOKEN_PRESENT) == 0) {
            unusable = makeError(Pkcs11Failure::CardNotUsable,
                                 "the slot of \"" + description + "\" shows no token for the card in the reader");
            continue;
        }
        auto token = readTokenInfo(module, slot);
        if (!token) {
            if (token.error().failure == Pkcs11Failure::CardRemoved)
                continue;
            Pkcs11Error e = token.error();
            if (e.failure == Pkcs11Failure::ModuleError)
                e.failure = Pkcs11Failure::CardNotUsable; // the token is there but cannot be described
            return e;
        }
        return TokenSlot{slot, description, std::move(token.value()), TokenSlot::MatchedBy::ReaderName};
    }
    if (unusable)
        return *unusable;
    return makeError(Pkcs11Failure::NoCard, "no slot of " + std::to_string(slots.value().size()) +
                                                " is named after reader \"" + selector.readerName + "\" (card serial " +
                                                selector.cardSerial + ")");
}

Pkcs11Result<Pkcs11Session> Pkcs11Session::open(const Pkcs11Module& module, CK_SLOT_ID slot) {
    CK_SESSION_HANDLE session = CK_INVALID_HANDLE;
    // Read-only: the check never writes to the card.
    const CK_RV rv = module.functions().C_OpenSession(slot, CKF_SERIAL_SESSION, nullptr, nullptr, &session);
    if (rv != CKR_OK)
        return errorForRv("C_OpenSession", rv);
    return Pkcs11Session(module, slot, session);
}

Pkcs11Session::Pkcs11Session(Pkcs11Session&& other) noexcept
    : m_module(std::exchange(other.m_module, nullptr)), m_slot(other.m_slot),
      m_session(std::exchange(other.m_session, CK_INVALID_HANDLE)), m_loggedIn(std::exchange(other.m_loggedIn, false)) {
}

Pkcs11Session::~Pkcs11Session() {
    if (m_module == nullptr)
        return;
    // Logging out leaves no authenticated state behind for another application of this process.
    if (m_loggedIn)
        m_module->functions().C_Logout(m_session);
    m_module->functions().C_CloseSession(m_session);
}

Pkcs11Status Pkcs11Session::login(SecureBuffer& pin, FinalTryPolicy policy, bool* warnedFinalTry) {
    struct WipeOnExit {
        SecureBuffer& pin;
        ~WipeOnExit() { pin.clear(); }
    } wipe{pin};
    if (warnedFinalTry != nullptr)
        *warnedFinalTry = false;
    const auto& f = m_module->functions();

    auto before = readTokenInfo(*m_module, m_slot);
    if (!before)
        return before.error();
    if (auto refusal = refusalBeforeLogin(before.value().flags, policy))
        return *refusal;
    if (pin.empty())
        return makeError(Pkcs11Failure::WrongPin, "empty PIN, not sent to the card");
    if (pinCounterFromFlags(before.value().flags).finalTry && warnedFinalTry != nullptr)
        *warnedFinalTry = true;

    // C_Login takes a non-const pointer for historical reasons; it does not write to it.
    auto* pinBytes = const_cast<unsigned char*>(reinterpret_cast<const unsigned char*>(pin.data()));
    CK_RV rv = f.C_Login(m_session, CKU_USER, pinBytes, pin.size());
    if (rv == CKR_USER_ALREADY_LOGGED_IN) {
        // Another session of this process is logged in: that proves nothing about this PIN, so log
        // out and ask the card again.
        f.C_Logout(m_session);
        rv = f.C_Login(m_session, CKU_USER, pinBytes, pin.size());
    }
    pin.clear();
    if (rv == CKR_OK) {
        m_loggedIn = true;
        return pkcs11Ok();
    }
    auto after = readTokenInfo(*m_module, m_slot);
    return loginFailure(rv, after ? after.value().flags : 0);
}

Pkcs11Result<std::vector<CK_OBJECT_HANDLE>> Pkcs11Session::findObjects(CK_OBJECT_CLASS objectClass) {
    const auto& f = m_module->functions();
    CK_ATTRIBUTE filter{CKA_CLASS, &objectClass, sizeof objectClass};
    CK_RV rv = f.C_FindObjectsInit(m_session, &filter, 1);
    if (rv != CKR_OK)
        return errorForRv("C_FindObjectsInit", rv);
    std::vector<CK_OBJECT_HANDLE> found;
    std::optional<Pkcs11Error> error;
    for (;;) {
        CK_OBJECT_HANDLE batch[kFindBatch];
        unsigned long n = 0;
        rv = f.C_FindObjects(m_session, batch, kFindBatch, &n);
        if (rv != CKR_OK) {
            error = errorForRv("C_FindObjects", rv);
            break;
        }
        if (n > kFindBatch || found.size() + n > kMaxObjects) {
            error = garbage("C_FindObjects returns too many objects");
            break;
        }
        if (n == 0)
            break;
        found.insert(found.end(), batch, batch + n);
    }
    f.C_FindObjectsFinal(m_session);
    if (error)
        return *error;
    return found;
}

Pkcs11Result<std::optional<Bytes>> Pkcs11Session::attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type,
                                                            unsigned long maxLength) {
    const auto& f = m_module->functions();
    const std::string name = "C_GetAttributeValue(" + hexType(type) + ")";
    for (int attempt = 0; attempt < kMaxSizeRetries; ++attempt) {
        CK_ATTRIBUTE a{type, nullptr, 0};
        CK_RV rv = f.C_GetAttributeValue(m_session, object, &a, 1);
        if (rv == CKR_ATTRIBUTE_TYPE_INVALID || rv == CKR_ATTRIBUTE_SENSITIVE)
            return std::optional<Bytes>();
        if (rv != CKR_OK)
            return errorForRv(name, rv);
        if (a.ulValueLen == CK_UNAVAILABLE_INFORMATION)
            return std::optional<Bytes>();
        if (a.ulValueLen > maxLength)
            return garbage(name + " announces " + std::to_string(a.ulValueLen) + " bytes");
        Bytes value(a.ulValueLen);
        if (value.empty())
            return std::optional<Bytes>(std::move(value));
        a.pValue = value.data();
        rv = f.C_GetAttributeValue(m_session, object, &a, 1);
        if (rv == CKR_BUFFER_TOO_SMALL)
            continue;
        if (rv != CKR_OK)
            return errorForRv(name, rv);
        if (a.ulValueLen == CK_UNAVAILABLE_INFORMATION)
            return std::optional<Bytes>();
        if (a.ulValueLen > value.size())
            return garbage(name + " wrote " + std::to_string(a.ulValueLen) + " bytes into " +
                           std::to_string(value.size()));
        value.resize(a.ulValueLen);
        return std::optional<Bytes>(std::move(value));
    }
    return garbage(name + " keeps answering CKR_BUFFER_TOO_SMALL");
}

Pkcs11Result<std::vector<CertificateObject>> Pkcs11Session::certificates() {
    auto certHandles = findObjects(CKO_CERTIFICATE);
    if (!certHandles)
        return certHandles.error();
    std::vector<CertificateObject> out;
    for (const CK_OBJECT_HANDLE h : certHandles.value()) {
        auto type = attribute(h, CKA_CERTIFICATE_TYPE, sizeof(unsigned long));
        if (!type)
            return type.error();
        if (!type.value() || type.value()->size() != sizeof(unsigned long) || ulongFrom(*type.value()) != CKC_X_509)
            continue;
        auto id = attribute(h, CKA_ID, 256);
        auto label = id ? attribute(h, CKA_LABEL, 256) : id;
        auto der = label ? attribute(h, CKA_VALUE, kMaxAttributeLength) : label;
        if (!der)
            return der.error();
        if (!id.value() || !der.value() || !parsesAsX509(*der.value()))
            continue; // unusable certificate object: others may still do
        CertificateObject c;
        c.id = *id.value();
        if (label.value())
            c.label.assign(label.value()->begin(), label.value()->end());
        c.der = std::move(*der.value());
        out.push_back(std::move(c));
    }
    return out;
}

Pkcs11Result<std::vector<KeyCandidate>> Pkcs11Session::rsaKeyCandidates(const std::vector<CK_OBJECT_HANDLE>& handles) {
    std::vector<KeyCandidate> keys;
    for (std::size_t i = 0; i < handles.size(); ++i) {
        const CK_OBJECT_HANDLE h = handles[i];
        auto keyType = attribute(h, CKA_KEY_TYPE, sizeof(unsigned long));
        auto id = keyType ? attribute(h, CKA_ID, 256) : keyType;
        auto label = id ? attribute(h, CKA_LABEL, 256) : id;
        auto sign = label ? attribute(h, CKA_SIGN, 1) : label;
        if (!sign)
            return sign.error();
        // Only RSA: that is what CPS cards carry and what the proof verifies.
        if (!keyType.value() || keyType.value()->size() != sizeof(unsigned long) ||
            ulongFrom(*keyType.value()) != CKK_RSA || !id.value())
            continue;
        KeyCandidate k;
        k.id = *id.value();
        if (label.value())
            k.label.assign(label.value()->begin(), label.value()->end());
        k.canSign = sign.value() && sign.value()->size() == 1 && (*sign.value())[0] != 0;
        k.index = i;
        keys.push_back(std::move(k));
    }
    return keys;
}

Pkcs11Result<AuthenticationPair> Pkcs11Session::findAuthenticationPair() {
    auto objects = certificates();
    if (!objects)
        return objects.error();
    std::vector<CertificateCandidate> certs;
    std::vector<Bytes> certDers;
    bool sawTechnical = false;
    for (CertificateObject& object : objects.value()) {
        CertificateCandidate c;
        c.id = object.id;
        c.label = object.label;
        c.keyUsage = keyUsageOf(object.der);
        c.index = certDers.size();
        sawTechnical = sawTechnical || c.label == kCpsTechCertLabel;
        certs.push_back(std::move(c));
        certDers.push_back(std::move(object.der));
    }

    auto keyHandles = findObjects(CKO_PRIVATE_KEY);
    if (!keyHandles)
        return keyHandles.error();
    auto keys = rsaKeyCandidates(keyHandles.value());
    if (!keys)
        return keys.error();

    const auto choice = choosePair(certs, *keys);
    if (!choice) {
        if (sawTechnical)
            return makeError(Pkcs11Failure::Contactless, "only the technical (contactless) key pair is on the token");
        return makeError(Pkcs11Failure::ModuleError, "no X.509 certificate with a matching RSA signing key (" +
                                                         std::to_string(certs.size()) + " certificate(s), " +
                                                         std::to_string(keys->size()) + " key(s))");
    }
    AuthenticationPair pair;
    pair.key = keyHandles.value()[choice->key];
    for (const auto& k : *keys)
        if (k.index == choice->key) {
            pair.id = k.id;
            pair.keyLabel = k.label;
        }
    pair.certificateLabel = certs[choice->certificate].label;
    pair.certificateDer = std::move(certDers[choice->certificate]);
    return pair;
}

Pkcs11Result<std::vector<CK_MECHANISM_TYPE>> Pkcs11Session::mechanisms() {
    const auto& f = m_module->functions();
    return boundedList<CK_MECHANISM_TYPE>(
        "C_GetMechanismList", kMaxMechanisms,
        [&](CK_MECHANISM_TYPE* list, unsigned long* n) { return f.C_GetMechanismList(m_slot, list, n); });
}

Pkcs11Result<Bytes> Pkcs11Session::sign(CK_OBJECT_HANDLE key, CK_MECHANISM_TYPE mechanism, const Bytes& data) {
    const auto& f = m_module->functions();
    CK_MECHANISM mech{mechanism, nullptr, 0};
    CK_RV rv = f.C_SignInit(m_session, &mech, key);
    if (rv != CKR_OK)
        return errorForRv("C_SignInit", rv);
    auto* input = const_cast<unsigned char*>(data.data()); // C_Sign does not write to its input
    for (int attempt = 0; attempt < kMaxSizeRetries; ++attempt) {
        unsigned long length = 0;
        rv = f.C_Sign(m_session, input, data.size(), nullptr, &length);
        if (rv != CKR_OK)
            return errorForRv("C_Sign", rv);
        if (length == 0 || length > kMaxSignatureLength)
            return garbage("C_Sign announces a " + std::to_string(length) + "-byte signature");
        Bytes signature(length);
        unsigned long written = length;
        rv = f.C_Sign(m_session, input, data.size(), signature.data(), &written);
        if (rv == CKR_BUFFER_TOO_SMALL)
            continue; // the operation stays active (PKCS#11 §5.2): ask the length again
        if (rv != CKR_OK)
            return errorForRv("C_Sign", rv);
        if (written > length)
            return garbage("C_Sign wrote " + std::to_string(written) + " bytes into " + std::to_string(length));
        signature.resize(written);
        return signature;
    }
    return garbage("C_Sign keeps answering CKR_BUFFER_TOO_SMALL");
}

} // namespace cpslock::card
