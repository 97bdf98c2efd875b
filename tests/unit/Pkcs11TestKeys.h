// SPDX-License-Identifier: EUPL-1.2
#pragma once

// OpenSSL helpers for the PKCS#11 tests: RSA/EC keys, certificates signed by a test CA key,
// signatures made off-card. Test code only.

#include "core/Hex.h"

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>

namespace cpslock::testkeys {

struct PKeyFree {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using PKey = std::unique_ptr<EVP_PKEY, PKeyFree>;

inline PKey rsaKey(unsigned bits) {
    return PKey(EVP_RSA_gen(bits));
}
inline PKey ecKey() {
    return PKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
}

/// DER certificate for subjectKey, signed by signer (itself when null), with an optional
/// keyUsage extension value such as "critical,digitalSignature" (empty: no extension).
inline Bytes certificate(EVP_PKEY* subjectKey, const std::string& keyUsage = "critical,digitalSignature",
                         EVP_PKEY* signer = nullptr) {
    X509* x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -60);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_NAME* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("899700123456"), -1,
                               -1, 0);
    X509_set_issuer_name(x, name);
    X509_set_pubkey(x, subjectKey);
    if (!keyUsage.empty()) {
        X509V3_CTX ctx;
        X509V3_set_ctx_nodb(&ctx);
        X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
        X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, NID_key_usage, keyUsage.c_str());
        X509_add_ext(x, ext, -1);
        X509_EXTENSION_free(ext);
    }
    X509_sign(x, signer != nullptr ? signer : subjectKey, EVP_sha256());
    unsigned char* der = nullptr;
    const int len = i2d_X509(x, &der);
    Bytes out;
    if (len > 0)
        out.assign(der, der + len);
    OPENSSL_free(der);
    X509_free(x);
    return out;
}

/// RSA PKCS#1 v1.5 with SHA-256 over data (what CKM_SHA256_RSA_PKCS returns).
inline Bytes signSha256(EVP_PKEY* key, const Bytes& data) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    std::size_t len = 0;
    Bytes sig;
    if (EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
        EVP_DigestSign(ctx, nullptr, &len, data.data(), data.size()) == 1) {
        sig.resize(len);
        if (EVP_DigestSign(ctx, sig.data(), &len, data.data(), data.size()) == 1)
            sig.resize(len);
        else
            sig.clear();
    }
    EVP_MD_CTX_free(ctx);
    return sig;
}

/// RSA PKCS#1 v1.5 type 1 padding over input as given (what CKM_RSA_PKCS returns).
inline Bytes signRaw(EVP_PKEY* key, const Bytes& input) {
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key, nullptr);
    std::size_t len = 0;
    Bytes sig;
    if (EVP_PKEY_sign_init(ctx) == 1 && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
        EVP_PKEY_sign(ctx, nullptr, &len, input.data(), input.size()) == 1) {
        sig.resize(len);
        if (EVP_PKEY_sign(ctx, sig.data(), &len, input.data(), input.size()) == 1)
            sig.resize(len);
        else
            sig.clear();
    }
    EVP_PKEY_CTX_free(ctx);
    return sig;
}

/// The padded-away content of a PKCS#1 v1.5 signature: for a SHA-256 signature, its DigestInfo.
inline Bytes recoverSigned(EVP_PKEY* key, const Bytes& signature) {
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key, nullptr);
    std::size_t len = 0;
    Bytes out;
    if (EVP_PKEY_verify_recover_init(ctx) == 1 && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
        EVP_PKEY_verify_recover(ctx, nullptr, &len, signature.data(), signature.size()) == 1) {
        out.resize(len);
        if (EVP_PKEY_verify_recover(ctx, out.data(), &len, signature.data(), signature.size()) == 1)
            out.resize(len);
        else
            out.clear();
    }
    EVP_PKEY_CTX_free(ctx);
    return out;
}

} // namespace cpslock::testkeys
