// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "card/Pkcs11Failure.h"
#include "card/Pkcs11Module.h"
#include "card/Pkcs11Rules.h"
#include "core/Hex.h"

#include <p11-kit/pkcs11.h>

#include <string>
#include <vector>

namespace cpslock {
class SecureBuffer;
}

namespace cpslock::card {

/// Which token is the card in the reader: the slot whose description is the reader name (OpenSC and
/// Cryptolib CPS both name slots so). Never the token serial: CK_TOKEN_INFO.serialNumber is 8 digits
/// in Cryptolib and 16 hex digits in OpenSC for the same card; the card is identified by EF.SN.ICC
/// and its certificate.
struct TokenSelector {
    std::string readerName;
    std::string cardSerial; ///< EF.SN.ICC serial, for messages only
};

/// The token's CK_TOKEN_INFO text fields, blank padding removed.
struct TokenDescription {
    std::string label;
    std::string manufacturer;
    std::string model;
    std::string serial;
    CK_FLAGS flags = 0;
};

struct TokenSlot {
    enum class MatchedBy { ReaderName };
    CK_SLOT_ID slot = 0;
    std::string slotDescription;
    TokenDescription token;
    MatchedBy matchedBy = MatchedBy::ReaderName;
};

/// Limits on what a module may answer; beyond them the answer is garbage (module-error).
inline constexpr unsigned long kMaxSlots = 256;
inline constexpr unsigned long kMaxMechanisms = 1024;
inline constexpr unsigned long kMaxObjects = 256;
inline constexpr unsigned long kMaxAttributeLength = 64UL * 1024UL;
inline constexpr unsigned long kMaxSignatureLength = 1024; // RSA-8192

/// Call it once PC/SC shows a card in the reader.
/// @retval no-card when no slot is named after the reader; card-not-usable when that slot shows no
///         token (Cryptolib hides the token of a card it does not recognise), its token is not
///         recognised (OpenSC), or a slot cannot even be described (C_GetSlotInfo fails) and none
///         matched; module-error on a bad answer.
Pkcs11Result<TokenSlot> findTokenSlot(const Pkcs11Module& module, const TokenSelector& selector);

/// @retval card-removed when the token is gone (CKR_TOKEN_NOT_PRESENT…).
Pkcs11Result<TokenDescription> readTokenInfo(const Pkcs11Module& module, CK_SLOT_ID slot);

/// The certificate + private key that prove the holder (see choosePair()).
struct AuthenticationPair {
    CK_OBJECT_HANDLE key = CK_INVALID_HANDLE;
    Bytes id;
    std::string keyLabel;
    std::string certificateLabel;
    Bytes certificateDer;
};

/// A certificate object as the token stores it (readable without login).
struct CertificateObject {
    Bytes id;
    std::string label;
    Bytes der;
};

/// A read-only session on one slot. Closing it logs out first when it logged in. Not thread-safe;
/// must not outlive the Pkcs11Module it was opened on.
class Pkcs11Session {
public:
    static Pkcs11Result<Pkcs11Session> open(const Pkcs11Module& module, CK_SLOT_ID slot);
    ~Pkcs11Session();
    Pkcs11Session(Pkcs11Session&& other) noexcept;
    Pkcs11Session& operator=(Pkcs11Session&&) = delete;
    Pkcs11Session(const Pkcs11Session&) = delete;
    Pkcs11Session& operator=(const Pkcs11Session&) = delete;

    /// C_Login as the user. pin is wiped before this returns, whatever happens: the PIN goes to
    /// C_Login and nowhere else. Refuses a locked PIN or (per policy) a final try before trying.
    /// @retval wrong-pin (triesLeft from the flags read after the failure), pin-locked,
    ///         last-try-refused, contactless, card-removed, module-error.
    /// warnedFinalTry is set when the final try was allowed by FinalTryPolicy::Warn.
    Pkcs11Status login(SecureBuffer& pin, FinalTryPolicy policy, bool* warnedFinalTry = nullptr);

    Pkcs11Result<AuthenticationPair> findAuthenticationPair();
    /// The X.509 certificate objects visible in this session (all of them are public on CPS cards).
    Pkcs11Result<std::vector<CertificateObject>> certificates();
    Pkcs11Result<std::vector<CK_MECHANISM_TYPE>> mechanisms();
    /// C_SignInit, C_Sign(NULL) for the length, then C_Sign with a buffer of exactly that length
    /// (Cryptolib's CPS4 driver refuses buffers of 512 bytes or more before any APDU).
    Pkcs11Result<Bytes> sign(CK_OBJECT_HANDLE key, CK_MECHANISM_TYPE mechanism, const Bytes& data);

    CK_SESSION_HANDLE handle() const { return m_session; }
    CK_SLOT_ID slot() const { return m_slot; }

private:
    Pkcs11Session(const Pkcs11Module& module, CK_SLOT_ID slot, CK_SESSION_HANDLE session)
        : m_module(&module), m_slot(slot), m_session(session) {}
    Pkcs11Result<std::vector<CK_OBJECT_HANDLE>> findObjects(CK_OBJECT_CLASS objectClass);
    /// nullopt value = attribute absent (CK_UNAVAILABLE_INFORMATION, type invalid, sensitive).
    Pkcs11Result<std::optional<Bytes>> attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type,
                                                 unsigned long maxLength);
    /// The RSA private keys among `handles`, as choosePair() weighs them.
    Pkcs11Result<std::vector<KeyCandidate>> rsaKeyCandidates(const std::vector<CK_OBJECT_HANDLE>& handles);

    const Pkcs11Module* m_module = nullptr;
    CK_SLOT_ID m_slot = 0;
    CK_SESSION_HANDLE m_session = CK_INVALID_HANDLE;
    bool m_loggedIn = false;
};

} // namespace cpslock::card
