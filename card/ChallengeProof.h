// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "card/Pkcs11Failure.h"
#include "card/Pkcs11Token.h"
#include "core/Hex.h"

#include <p11-kit/pkcs11.h>

#include <cstddef>

namespace cpslock::card {

inline constexpr std::size_t kNonceSize = 32;

/// kNonceSize bytes from the kernel RNG (getrandom). module-error if it fails (it never should).
Pkcs11Result<Bytes> freshNonce();

struct SignedChallenge {
    Bytes nonce;
    Bytes signature;
    CK_MECHANISM_TYPE mechanism = CKM_RSA_PKCS;
};

/// Signs a fresh nonce with key on the card: CKM_RSA_PKCS over the SHA-256 DigestInfo of the nonce.
/// That is the only mechanism both CPS middlewares allow on the authentication key (Cryptolib
/// answers CKM_SHA256_RSA_PKCS with CKR_KEY_TYPE_INCONSISTENT; OpenSC 0.23 has no hashing
/// mechanism on an IAS-ECC CPx), and it gives the same signature bytes as CKM_SHA256_RSA_PKCS.
Pkcs11Result<SignedChallenge> signChallenge(Pkcs11Session& session, CK_OBJECT_HANDLE key);

/// Verifies an RSA PKCS#1 v1.5 SHA-256 signature of nonce with the certificate's public key.
/// This, not reading the certificate, is the proof that the card holds the certificate's key.
/// @retval key-mismatch when the signature does not verify; module-error when the certificate
///         does not parse or its key is not RSA 1024-8192 bits.
Pkcs11Status verifyChallenge(const Bytes& certificateDer, const Bytes& nonce, const Bytes& signature);

} // namespace cpslock::card
