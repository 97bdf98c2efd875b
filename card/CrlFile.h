// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "card/TrustStore.h"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace cpslock::card {

/// A CRL as read from a file or a download, with the fields the revocation check and the updater
/// compare.
struct CrlFile {
    std::filesystem::path file; ///< where it was read from (empty for a download)
    X509CrlPtr crl;
    std::optional<std::chrono::system_clock::time_point> thisUpdate;
    std::optional<std::chrono::system_clock::time_point> nextUpdate; ///< absent when the CRL has none
    std::optional<std::string> crlNumberHex; ///< cRLNumber, upper-case hex without leading zeros
};

/// Parses one DER CRL (exactly, no trailing bytes) or the first CRL of a PEM text; nullopt otherwise.
std::optional<CrlFile> parseCrl(std::span<const std::uint8_t> bytes);

/// Every CRL of a folder, sorted by file name: regular files not starting with '.', each a DER or
/// PEM CRL of at most kMaxCrlFileSize bytes. Files that are not are skipped with a warning naming
/// them (a missing CRL is then the freshness check's business).
std::vector<CrlFile> readCrlFolder(const std::filesystem::path& folder, std::vector<std::string>& warnings);

/// Size limit of one CRL (file or download): the largest IGC-Santé CRLs are a few megabytes.
constexpr std::uintmax_t kMaxCrlFileSize = std::uintmax_t{32} * 1024U * 1024U;

/// The CA among `candidates` that signed this CRL: same subject name as the CRL's issuer, key usage
/// allowing cRLSign, and the signature checks with its key. nullptr when none did.
const X509* findCrlSigner(const X509_CRL* crl, const std::vector<const X509*>& candidates);

/// ASN.1 time as a time point (UTC); nullopt for an unreadable time.
std::optional<std::chrono::system_clock::time_point> toTimePoint(const ASN1_TIME* time);

/// "2026-06-01 07:00:00 UTC" (or "?").
std::string formatUtc(std::chrono::system_clock::time_point t);

} // namespace cpslock::card
