// SPDX-License-Identifier: EUPL-1.2
#pragma once

// The private-key operations of the simulated CPS cards (OpenSSL), and the hash finishing that
// IAS-ECC's PSO HASH needs. Pure functions: unit-tested on their own.

#include "core/Hex.h"

#include <openssl/types.h>

#include <optional>

namespace cpslock::cardsim {

enum class HashAlgorithm { Sha1, Sha256 };

/// PKCS#1 v1.5 type-1 padding of @p input as given (a DigestInfo, or anything shorter than the
/// modulus minus 11 bytes), then the RSA private operation. nullopt when the input is too long.
std::optional<Bytes> rsaSignPkcs1(EVP_PKEY* key, const Bytes& input);

/// Raw RSA private operation on a block the host padded itself; the result is exactly as long as
/// the modulus. nullopt when the block is not the modulus size or not smaller than the modulus.
std::optional<Bytes> rsaRawPrivate(EVP_PKEY* key, const Bytes& block);

/// RSA decryption with PKCS#1 v1.5 type-2 padding removed; nullopt on bad padding.
std::optional<Bytes> rsaDecryptPkcs1(EVP_PKEY* key, const Bytes& cryptogram);

/// DER DigestInfo (RFC 8017 §9.2) for a 20-byte SHA-1 or 32-byte SHA-256 hash; empty otherwise.
Bytes digestInfoFor(const Bytes& hash);

/// Finishes a hash the host started (IAS-ECC PSO HASH with an intermediate state): @p state is the
/// chaining value (H0..H4 or H0..H7, big-endian) after @p bitsDone message bits (a multiple of 512),
/// @p tail the rest of the message. Empty state: the whole message is @p tail.
/// nullopt when the state has the wrong size or bitsDone is not on a block boundary.
std::optional<Bytes> finishHash(HashAlgorithm algorithm, const Bytes& state, std::uint64_t bitsDone, const Bytes& tail);

/// Modulus size in bytes.
std::size_t rsaModulusBytes(EVP_PKEY* key);

} // namespace cpslock::cardsim
