// SPDX-License-Identifier: EUPL-1.2
#include "tools/cardsim/CardCrypto.h"

#include "card/OpenSslPtr.h"

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include <algorithm>

namespace cpslock::cardsim {
namespace {

enum class Operation { Sign, Decrypt };

// One RSA private-key operation with @p padding; the output as long as OpenSSL makes it.
std::optional<Bytes> rsaPrivate(EVP_PKEY* key, Operation operation, int padding, const Bytes& input) {
    const card::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
    Bytes out(rsaModulusBytes(key));
    std::size_t outLen = out.size();
    const bool sign = operation == Operation::Sign;
    if (!ctx || (sign ? EVP_PKEY_sign_init(ctx.get()) : EVP_PKEY_decrypt_init(ctx.get())) <= 0 ||
        EVP_PKEY_CTX_set_rsa_padding(ctx.get(), padding) <= 0 ||
        (sign ? EVP_PKEY_sign(ctx.get(), out.data(), &outLen, input.data(), input.size())
              : EVP_PKEY_decrypt(ctx.get(), out.data(), &outLen, input.data(), input.size())) <= 0)
        return std::nullopt;
    out.resize(outLen);
    return out;
}

// A signature-like output is exactly as long as the modulus: leading zero bytes put back.
std::optional<Bytes> modulusSized(std::optional<Bytes> out, std::size_t modulus) {
    if (out)
        out->insert(out->begin(), modulus - std::min(modulus, out->size()), 0x00);
    return out;
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
    // No digest set: OpenSSL pads the input as it is (the caller's DigestInfo) with type 1.
    return modulusSized(rsaPrivate(key, Operation::Sign, RSA_PKCS1_PADDING, input), modulus);
}

std::optional<Bytes> rsaRawPrivate(EVP_PKEY* key, const Bytes& block) {
    const std::size_t modulus = rsaModulusBytes(key);
    if (block.size() != modulus)
        return std::nullopt;
    return modulusSized(rsaPrivate(key, Operation::Decrypt, RSA_NO_PADDING, block), modulus);
}

std::optional<Bytes> rsaDecryptPkcs1(EVP_PKEY* key, const Bytes& cryptogram) {
    if (cryptogram.size() != rsaModulusBytes(key))
        return std::nullopt;
    return rsaPrivate(key, Operation::Decrypt, RSA_PKCS1_PADDING, cryptogram);
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
std::optional<Bytes> finishHash(HashAlgorithm algorithm, const Bytes& state, std::uint64_t bitsDone,
                                const Bytes& tail) {
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
