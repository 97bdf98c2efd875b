// SPDX-License-Identifier: EUPL-1.2
#include "tools/cardsim/CardCrypto.h"

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include <algorithm>
#include <memory>

namespace cpslock::cardsim {
namespace {

struct CtxFree {
    void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_PKEY_CTX, CtxFree>;

Ctx contextFor(EVP_PKEY* key) {
    return Ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
}

std::uint32_t bigEndian32(const Bytes& b, std::size_t at) {
    return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) | (std::uint32_t{b[at + 2]} << 8) |
           std::uint32_t{b[at + 3]};
}

} // namespace

std::size_t rsaModulusBytes(EVP_PKEY* key) {
    return static_cast<std::size_t>(EVP_PKEY_get_size(key));
}

std::optional<Bytes> rsaSignPkcs1(EVP_PKEY* key, const Bytes& input) {
    const std::size_t modulus = rsaModulusBytes(key);
    if (input.empty() || input.size() + 11 > modulus)
        return std::nullopt;
    Ctx ctx = contextFor(key);
    Bytes out(modulus);
    std::size_t outLen = out.size();
    // No digest set: OpenSSL pads the input as it is (the caller's DigestInfo) with type 1.
    if (!ctx || EVP_PKEY_sign_init(ctx.get()) <= 0 || EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) <= 0 ||
        EVP_PKEY_sign(ctx.get(), out.data(), &outLen, input.data(), input.size()) <= 0)
        return std::nullopt;
    out.resize(outLen);
    out.insert(out.begin(), modulus - std::min(modulus, outLen), 0x00);
    return out;
}

std::optional<Bytes> rsaRawPrivate(EVP_PKEY* key, const Bytes& block) {
    const std::size_t modulus = rsaModulusBytes(key);
    if (block.size() != modulus)
        return std::nullopt;
    Ctx ctx = contextFor(key);
    Bytes out(modulus);
    std::size_t outLen = out.size();
    if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) <= 0 || EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_NO_PADDING) <= 0 ||
        EVP_PKEY_decrypt(ctx.get(), out.data(), &outLen, block.data(), block.size()) <= 0)
        return std::nullopt;
    out.resize(outLen);
    out.insert(out.begin(), modulus - std::min(modulus, outLen), 0x00); // keep leading zero bytes
    return out;
}

std::optional<Bytes> rsaDecryptPkcs1(EVP_PKEY* key, const Bytes& cryptogram) {
    const std::size_t modulus = rsaModulusBytes(key);
    if (cryptogram.size() != modulus)
        return std::nullopt;
    Ctx ctx = contextFor(key);
    Bytes out(modulus);
    std::size_t outLen = out.size();
    if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) <= 0 || EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) <= 0 ||
        EVP_PKEY_decrypt(ctx.get(), out.data(), &outLen, cryptogram.data(), cryptogram.size()) <= 0)
        return std::nullopt;
    out.resize(outLen);
    return out;
}

Bytes digestInfoFor(const Bytes& hash) {
    // SEQUENCE { SEQUENCE { OID, NULL }, OCTET STRING hash } prefixes of RFC 8017 §9.2 note 1.
    static const Bytes kSha1{0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2B, 0x0E, 0x03, 0x02, 0x1A, 0x05, 0x00, 0x04, 0x14};
    static const Bytes kSha256{0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                               0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
    Bytes out;
    if (hash.size() == 20)
        out = kSha1;
    else if (hash.size() == 32)
        out = kSha256;
    else
        return {};
    out.insert(out.end(), hash.begin(), hash.end());
    return out;
}

// PSO HASH hands the card a SHA chaining state: only the low-level SHA contexts can resume one (the
// EVP API cannot be seeded), and OpenSSL 3 marks them deprecated.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
std::optional<Bytes> finishHash(HashAlgorithm algorithm, const Bytes& state, std::uint64_t bitsDone, const Bytes& tail) {
    if (bitsDone % 512 != 0 || (state.empty() && bitsDone != 0))
        return std::nullopt;
    const auto low = static_cast<unsigned int>(bitsDone & 0xFFFFFFFFU);
    const auto high = static_cast<unsigned int>(bitsDone >> 32);
    if (algorithm == HashAlgorithm::Sha256) {
        SHA256_CTX ctx;
        SHA256_Init(&ctx);
        if (!state.empty()) {
            if (state.size() != 32)
                return std::nullopt;
            for (std::size_t i = 0; i < 8; ++i)
                ctx.h[i] = bigEndian32(state, 4 * i);
            ctx.Nl = low;
            ctx.Nh = high;
        }
        Bytes out(32);
        SHA256_Update(&ctx, tail.data(), tail.size());
        SHA256_Final(out.data(), &ctx);
        return out;
    }
    SHA_CTX ctx;
    SHA1_Init(&ctx);
    if (!state.empty()) {
        if (state.size() != 20)
            return std::nullopt;
        ctx.h0 = bigEndian32(state, 0);
        ctx.h1 = bigEndian32(state, 4);
        ctx.h2 = bigEndian32(state, 8);
        ctx.h3 = bigEndian32(state, 12);
        ctx.h4 = bigEndian32(state, 16);
        ctx.Nl = low;
        ctx.Nh = high;
    }
    Bytes out(20);
    SHA1_Update(&ctx, tail.data(), tail.size());
    SHA1_Final(out.data(), &ctx);
    return out;
}
#pragma GCC diagnostic pop

} // namespace cpslock::cardsim
