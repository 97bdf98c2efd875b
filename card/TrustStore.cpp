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
constexpr std::uintmax_t kMaxFileSize = std::uintmax_t{4} * 1024U * 1024U;

Result<std::vector<std::uint8_t>> readFile(const std::filesystem::path& file) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    if (ec) {
        return fail(file.string() + ": cannot read: " + ec.message());
    }
    if (size > kMaxFileSize) {
        return fail(file.string() + ": too large for a certificate file (" + std::to_string(size) + " bytes)");
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return fail(file.string() + ": cannot open");
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

Result<std::vector<X509Ptr>> readCertificateFile(const std::filesystem::path& file) {
    auto bytes = readFile(file);
    if (!bytes) {
        return bytes.error();
    }
    std::vector<X509Ptr> certificates;
    if (X509Ptr der = parseDerCertificate(*bytes)) {
        certificates.push_back(std::move(der));
        return certificates;
    }
    if (looksLikePem(*bytes)) {
        certificates = readPemCertificates(*bytes);
    }
    if (certificates.empty()) {
        return fail(file.string() + ": not a DER or PEM X.509 certificate");
    }
    return certificates;
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

Result<void> TrustStore::addCertificates(Result<std::vector<X509Ptr>> file, const std::string& name, bool asAnchor) {
    if (!file) {
        return file.error();
    }
    // Check every certificate before adding any, so a bad file leaves the store unchanged.
    for (const auto& cert : *file) {
        if (X509_check_ca(cert.get()) == 0) {
            return fail(name + ": not a CA certificate (" + nameToString(X509_get_subject_name(cert.get())) + ")");
        }
    }
    for (auto& cert : *file) {
        // Only a self-signed root can anchor a chain; an intermediate stays a path-building aid.
        const bool selfSigned = X509_self_signed(cert.get(), 1) == 1;
        ERR_clear_error();
        (asAnchor && selfSigned ? m_anchors : m_intermediates).push_back(std::move(cert));
    }
    return {};
}

Result<void> TrustStore::addFolder(const std::filesystem::path& folder, bool asAnchor) {
    std::error_code ec;
    std::filesystem::directory_iterator it(folder, ec);
    if (ec) {
        return fail(folder.string() + ": cannot list folder: " + ec.message());
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
        if (auto added = addCertificates(readCertificateFile(file), file.string(), asAnchor); !added) {
            return added;
        }
    }
    return {};
}

Result<void> TrustStore::addAnchorFile(const std::filesystem::path& file) {
    return addCertificates(readCertificateFile(file), file.string(), true);
}

Result<void> TrustStore::addAnchorFolder(const std::filesystem::path& folder) {
    return addFolder(folder, true);
}

Result<void> TrustStore::addIntermediateFile(const std::filesystem::path& file) {
    return addCertificates(readCertificateFile(file), file.string(), false);
}

Result<void> TrustStore::addIntermediateFolder(const std::filesystem::path& folder) {
    return addFolder(folder, false);
}

Result<void> TrustStore::addAnchorDer(std::span<const std::uint8_t> der, const std::string& name) {
    X509Ptr cert = parseDerCertificate(der);
    if (!cert) {
        return fail(name + ": not a DER X.509 certificate");
    }
    std::vector<X509Ptr> certificates;
    certificates.push_back(std::move(cert));
    return addCertificates(std::move(certificates), name, true);
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
