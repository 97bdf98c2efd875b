// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "card/OpenSslPtr.h"
#include "core/Result.h"

#include <openssl/x509.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace cpslock::card {

/// Parses one DER certificate; nullptr on anything else (trailing bytes included).
X509Ptr parseDerCertificate(std::span<const std::uint8_t> der);

/// Reads every certificate of a file: one DER certificate, or one or more PEM certificates.
/// Returns an error naming the file when it holds anything else.
Result<std::vector<X509Ptr>> readCertificateFile(const std::filesystem::path& file);

/// The certificates a card certificate may chain through: trust anchors (self-signed CA roots,
/// the only certificates trusted by themselves) and CA intermediates (used to build the path,
/// trusted only through an anchor: partial chains are never accepted).
///
/// Adding a folder loads every regular file in it (names starting with '.' are skipped).
/// A CA certificate that is not self-signed given as an anchor is kept as an intermediate:
/// the IGC-Santé bundle ships roots and intermediates together.
class TrustStore {
public:
    TrustStore() = default;
    TrustStore(TrustStore&&) noexcept = default;
    TrustStore& operator=(TrustStore&&) noexcept = default;
    TrustStore(const TrustStore&) = delete;
    TrustStore& operator=(const TrustStore&) = delete;
    ~TrustStore() = default;

    /// Each fails with an error naming the file (and why).
    /// On error nothing from the failing file is added; earlier files of a folder stay added.
    Result<void> addAnchorFile(const std::filesystem::path& file);
    Result<void> addAnchorFolder(const std::filesystem::path& folder);
    Result<void> addIntermediateFile(const std::filesystem::path& file);
    Result<void> addIntermediateFolder(const std::filesystem::path& folder);
    /// For certificates already in memory (tests, certificates read from the card).
    Result<void> addAnchorDer(std::span<const std::uint8_t> der, const std::string& name);

    const std::vector<X509Ptr>& anchors() const { return m_anchors; }
    const std::vector<X509Ptr>& intermediates() const { return m_intermediates; }

    /// One-line subjects ("CN=..., OU=...") of the anchors, for `cpslock check-policy` and logs.
    std::vector<std::string> anchorSubjects() const;

private:
    Result<void> addCertificates(Result<std::vector<X509Ptr>> file, const std::string& name, bool asAnchor);
    Result<void> addFolder(const std::filesystem::path& folder, bool asAnchor);

    std::vector<X509Ptr> m_anchors;
    std::vector<X509Ptr> m_intermediates;
};

/// RFC 2253-style one-line name, UTF-8 ("CN=AC IGC-SANTE FORT PERSONNES,OU=IGC-SANTE,...").
std::string nameToString(const X509_NAME* name);

} // namespace cpslock::card
