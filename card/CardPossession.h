// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "card/Pkcs11Failure.h"
#include "card/Pkcs11Module.h"
#include "card/Pkcs11Rules.h"
#include "card/Pkcs11Token.h"
#include "core/Hex.h"

#include <p11-kit/pkcs11.h>

namespace cpslock {
class SecureBuffer;
}

namespace cpslock::card {

struct PossessionOptions {
    FinalTryPolicy finalTry = FinalTryPolicy::Refuse;
};

/// What the PKCS#11 half proved: the token in the reader holds the private key of certificateDer,
/// unlocked with the holder's PIN. Chain, revocation and identity are checked elsewhere.
struct PossessionProof {
    TokenSlot token;
    Bytes keyId;
    std::string keyLabel;
    std::string certificateLabel;
    Bytes certificateDer;
    CK_MECHANISM_TYPE mechanism = CKM_SHA256_RSA_PKCS;
    bool finalTryWarning = false; ///< the PIN was tried on the final try (FinalTryPolicy::Warn)
    /// The other certificates on the token (CA certificates on some cards): untrusted, path
    /// building only.
    std::vector<Bytes> otherCertificates;
    double loginMs = 0;     ///< time spent in C_Login
    double signatureMs = 0; ///< finding the pair, signing and checking the challenge
};

/// The whole PKCS#11 check: token for the reader / serial, PIN flags, C_Login, authentication
/// pair, fresh challenge signed on the card and verified with the certificate's key. There is
/// no way to skip the signature. pin is wiped before this returns, on every path.
Pkcs11Result<PossessionProof> proveCardPossession(const Pkcs11Module& module, const TokenSelector& selector,
                                                  SecureBuffer& pin, const PossessionOptions& options = {});
/// The same on a token already found (findTokenSlot): its PIN flags are read again right before
/// C_Login, and a card changed since is refused by the module or by the caller's presence check.
Pkcs11Result<PossessionProof> proveCardPossession(const Pkcs11Module& module, TokenSlot slot, SecureBuffer& pin,
                                                  const PossessionOptions& options = {});

} // namespace cpslock::card
