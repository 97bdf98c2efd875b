// SPDX-License-Identifier: EUPL-1.2
#include "card/ChallengeProof.h"

#include "card/OpenSslPtr.h"
#include "card/Pkcs11Rules.h"

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <sys/random.h>

namespace cpslock::card {

namespace {
Pkcs11Result<Bytes> sha256(const Bytes& data) {
    Bytes digest(32);
    unsigned int length = 0;
    if (EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1 || length != 32)
        return makeError(Pkcs11Failure::ModuleError, "SHA-256 failed");
    return digest;
}
} // namespace

Pkcs11Result<Bytes> freshNonce() {
    Bytes nonce(kNonceSize);
    std::size_t got = 0;
    while (got < nonce.size()) {
        const ssize_t n = getrandom(nonce.data() + got, nonce.size() - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return makeError(Pkcs11Failure::ModuleError, std::string("getrandom: ") + std::strerror(errno));
        got += static_cast<std::size_t>(n);
    }
    return nonce;
}

Pkcs11Result<SignedChallenge> signChallenge(Pkcs11Session& session, CK_OBJECT_HANDLE key) {
    auto nonce = freshNonce();
    if (!nonce)
        return nonce.error();
    SignedChallenge out;
    out.nonce = std::move(nonce.value());

    auto digest = sha256(out.nonce);
    if (!digest)
        return digest.error();
    auto signature = session.sign(key, CKM_RSA_PKCS, sha256DigestInfo(digest.value()));
    if (!signature)
        return signature.error();
    out.signature = std::move(signature.value());
    out.mechanism = CKM_RSA_PKCS;
    return out;
}

Pkcs11Status verifyChallenge(const Bytes& certificateDer, const Bytes& nonce, const Bytes& signature) {
    const unsigned char* p = certificateDer.data();
    X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(certificateDer.size())));
    if (!cert)
        return makeError(Pkcs11Failure::ModuleError, "the token's certificate is not DER X.509");
    EVP_PKEY* key = X509_get0_pubkey(cert.get());
    if (key == nullptr || EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA)
        return makeError(Pkcs11Failure::ModuleError, "the certificate's key is not RSA");
    const int bits = EVP_PKEY_get_bits(key);
    if (bits < 1024 || bits > 8192)
        return makeError(Pkcs11Failure::ModuleError, "unsupported RSA key size " + std::to_string(bits));
    if (signature.size() != static_cast<std::size_t>(EVP_PKEY_get_size(key)))
        return makeError(Pkcs11Failure::KeyMismatch, "signature of " + std::to_string(signature.size()) +
                                                         " bytes for a " + std::to_string(bits) +
                                                         "-bit certificate key");

    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1)
        return makeError(Pkcs11Failure::ModuleError, "OpenSSL cannot set up RSA verification");
    if (EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), nonce.data(), nonce.size()) != 1)
        return makeError(Pkcs11Failure::KeyMismatch,
                         "the card's signature does not verify with the certificate's public key");
    return pkcs11Ok();
}

} // namespace cpslock::card
