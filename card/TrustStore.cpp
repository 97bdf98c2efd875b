// SPDX-License-Identifier: EUPL-1.2
#include "card/TrustStore.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <limits>
#include <string_view>
#include <system_error>

namespace cpslock::card {
namespace {

// A certificate bundle is a few kilobytes; anything much bigger is not what the admin meant.
constexpr std::uintmax_t kMaxFileSize = 4U * 1024U * 1024U;

std::optional<std::vector<std::uint8_t>> readFile(const std::filesystem::path& file, std::string& error) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    if (ec) {
        error = file.string() + ": cannot read: " + ec.message();
        return std::nullopt;
    }
    if (size > kMaxFileSize) {
        error = file.string() + ": too large for a certificate file (" + std::to_string(size) + " bytes)";
        return std::nullopt;
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        error = file.string() + ": cannot open";
        return std::nullopt;
    }
    std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    return bytes;
}

bool looksLikePem(std::span<const std::uint8_t> data) {
    constexpr std::string_view marker = "-----BEGIN ";
    const std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
    return text.find(marker) != std::string_view::npos;
}

std::vector<X509Ptr> readPemCertificates(std::span<const std::uint8_t> data) {
    std::vector<X509Ptr> certs;
    if (data.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
        return certs;
    }
    BioPtr bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
    if (!bio) {
        return certs;
    }
    while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
        certs.emplace_back(cert);
    }
    // The loop always ends on "no start line"; drop that so it does not leak into later calls.
    ERR_clear_error();
    return certs;
}

} // namespace

X509Ptr parseDerCertificate(std::span<const std::uint8_t> der) {
    if (der.empty() || der.size() > static_cast<std::size_t>(std::numeric_limits<long>::max())) {
        return nullptr;
    }
    const unsigned char* p = der.data();
    X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    ERR_clear_error();
    // Trailing bytes mean this was not (only) a certificate.
    if (!cert || p != der.data() + der.size()) {
        return nullptr;
    }
    return cert;
}

CertificateFile readCertificateFile(const std::filesystem::path& file) {
    CertificateFile result;
    auto bytes = readFile(file, result.error);
    if (!bytes) {
        return result;
    }
    if (X509Ptr der = parseDerCertificate(*bytes)) {
        result.certificates.push_back(std::move(der));
        return result;
    }
    if (looksLikePem(*bytes)) {
        result.certificates = readPemCertificates(*bytes);
    }
    if (result.certificates.empty()) {
        result.error = file.string() + ": not a DER or PEM X.509 certificate";
    }
    return result;
}

std::string nameToString(const X509_NAME* name) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || name == nullptr) {
        return {};
    }
    const unsigned long flags = XN_FLAG_RFC2253 & ~static_cast<unsigned long>(ASN1_STRFLGS_ESC_MSB);
    if (X509_NAME_print_ex(bio.get(), name, 0, flags) < 0) {
        return {};
    }
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    return len > 0 ? std::string(data, static_cast<std::size_t>(len)) : std::string();
}

std::optional<std::string> TrustStore::addCertificates(CertificateFile file, const std::string& name, bool asAnchor) {
    if (!file.error.empty()) {
        return file.error;
    }
    // Check every certificate before adding any, so a bad file leaves the store unchanged.
    for (const auto& cert : file.certificates) {
        if (X509_check_ca(cert.get()) == 0) {
            return name + ": not a CA certificate (" + nameToString(X509_get_subject_name(cert.get())) + ")";
        }
    }
    for (auto& cert : file.certificates) {
        // Only a self-signed root can anchor a chain; an intermediate stays a path-building aid.
        const bool selfSigned = X509_self_signed(cert.get(), 1) == 1;
        ERR_clear_error();
        (asAnchor && selfSigned ? m_anchors : m_intermediates).push_back(std::move(cert));
    }
    return std::nullopt;
}

std::optional<std::string> TrustStore::addFolder(const std::filesystem::path& folder, bool asAnchor) {
    std::error_code ec;
    std::filesystem::directory_iterator it(folder, ec);
    if (ec) {
        return folder.string() + ": cannot list folder: " + ec.message();
    }
    std::vector<std::filesystem::path> files;
    for (const auto& entry : it) {
        const std::string fileName = entry.path().filename().string();
        if (fileName.empty() || fileName.front() == '.' || !entry.is_regular_file(ec)) {
            continue;
        }
        files.push_back(entry.path());
    }
    // Sorted so that errors and anchor order do not depend on the filesystem.
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
        if (auto error = addCertificates(readCertificateFile(file), file.string(), asAnchor)) {
            return error;
        }
    }
    return std::nullopt;
}

std::optional<std::string> TrustStore::addAnchorFile(const std::filesystem::path& file) {
    return addCertificates(readCertificateFile(file), file.string(), true);
}

std::optional<std::string> TrustStore::addAnchorFolder(const std::filesystem::path& folder) {
    return addFolder(folder, true);
}

std::optional<std::string> TrustStore::addIntermediateFile(const std::filesystem::path& file) {
    return addCertificates(readCertificateFile(file), file.string(), false);
}

std::optional<std::string> TrustStore::addIntermediateFolder(const std::filesystem::path& folder) {
    return addFolder(folder, false);
}

std::optional<std::string> TrustStore::addAnchorDer(std::span<const std::uint8_t> der, const std::string& name) {
    CertificateFile file;
    if (X509Ptr cert = parseDerCertificate(der)) {
        file.certificates.push_back(std::move(cert));
    } else {
        file.error = name + ": not a DER X.509 certificate";
    }
    return addCertificates(std::move(file), name, true);
}

std::vector<std::string> TrustStore::anchorSubjects() const {
    std::vector<std::string> subjects;
    subjects.reserve(m_anchors.size());
    for (const auto& cert : m_anchors) {
        subjects.push_back(nameToString(X509_get_subject_name(cert.get())));
    }
    return subjects;
}

} // namespace cpslock::card
