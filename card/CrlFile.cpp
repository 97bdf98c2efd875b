// SPDX-License-Identifier: EUPL-1.2
#include "card/CrlFile.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <limits>
#include <system_error>

namespace cpslock::card {
namespace {

std::optional<std::string> crlNumberOf(const X509_CRL* crl) {
    int critical = 0;
    auto* number = static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(crl, NID_crl_number, &critical, nullptr));
    if (number == nullptr) {
        ERR_clear_error();
        return std::nullopt;
    }
    std::optional<std::string> hex;
    if (BIGNUM* bn = ASN1_INTEGER_to_BN(number, nullptr)) {
        if (char* text = BN_bn2hex(bn)) {
            hex = text;
            OPENSSL_free(text);
        }
        BN_free(bn);
    }
    ASN1_INTEGER_free(number);
    return hex;
}

} // namespace

std::optional<std::chrono::system_clock::time_point> toTimePoint(const ASN1_TIME* time) {
    std::tm tm{};
    if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) {
        return std::nullopt;
    }
    // Calendar arithmetic instead of timegm(): portable and independent of the local time zone.
    const std::chrono::year_month_day ymd{std::chrono::year{tm.tm_year + 1900},
                                          std::chrono::month{static_cast<unsigned>(tm.tm_mon + 1)},
                                          std::chrono::day{static_cast<unsigned>(tm.tm_mday)}};
    if (!ymd.ok()) {
        return std::nullopt;
    }
    return std::chrono::system_clock::time_point{std::chrono::sys_days{ymd}} + std::chrono::hours{tm.tm_hour} +
           std::chrono::minutes{tm.tm_min} + std::chrono::seconds{tm.tm_sec};
}

std::string formatUtc(std::chrono::system_clock::time_point t) {
    const auto seconds = std::chrono::floor<std::chrono::seconds>(t);
    const auto days = std::chrono::floor<std::chrono::days>(seconds);
    const std::chrono::year_month_day ymd{days};
    const std::chrono::hh_mm_ss hms{seconds - days};
    char text[40];
    (void)std::snprintf(text, sizeof text, "%04d-%02u-%02u %02ld:%02ld:%02ld UTC", static_cast<int>(ymd.year()),
                        static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                        static_cast<long>(hms.hours().count()), static_cast<long>(hms.minutes().count()),
                        static_cast<long>(hms.seconds().count()));
    return text;
}

std::optional<CrlFile> parseCrl(std::span<const std::uint8_t> bytes) {
    if (bytes.empty() || bytes.size() > kMaxCrlFileSize) {
        return std::nullopt;
    }
    const unsigned char* p = bytes.data();
    X509CrlPtr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(bytes.size())));
    if (!crl || p != bytes.data() + bytes.size()) {
        crl.reset();
        BioPtr bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
        if (bio) {
            crl.reset(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
        }
    }
    ERR_clear_error();
    if (!crl) {
        return std::nullopt;
    }
    CrlFile file;
    file.thisUpdate = toTimePoint(X509_CRL_get0_lastUpdate(crl.get()));
    if (const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl.get())) {
        file.nextUpdate = toTimePoint(next);
        // A nextUpdate that cannot be read is treated as already past, never as "no end".
        if (!file.nextUpdate) {
            file.nextUpdate = std::chrono::system_clock::time_point{};
        }
    }
    file.crlNumberHex = crlNumberOf(crl.get());
    file.crl = std::move(crl);
    return file;
}

std::vector<CrlFile> readCrlFolder(const std::filesystem::path& folder, std::vector<std::string>& warnings) {
    std::vector<CrlFile> crls;
    std::error_code ec;
    std::filesystem::directory_iterator it(folder, ec);
    if (ec) {
        warnings.push_back(folder.string() + ": cannot list CRL folder: " + ec.message());
        return crls;
    }
    std::vector<std::filesystem::path> files;
    for (const auto& entry : it) {
        const std::string name = entry.path().filename().string();
        if (!name.empty() && name.front() != '.' && entry.is_regular_file(ec)) {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
        const auto size = std::filesystem::file_size(file, ec);
        if (ec || size == 0 || size > kMaxCrlFileSize) {
            warnings.push_back(file.string() + ": unreadable, empty or oversized CRL file, ignored");
            continue;
        }
        std::ifstream in(file, std::ios::binary);
        const std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        auto crl = parseCrl(bytes);
        if (!crl) {
            warnings.push_back(file.string() + ": not a DER or PEM CRL, ignored");
            continue;
        }
        crl->file = file;
        crls.push_back(std::move(*crl));
    }
    return crls;
}

const X509* findCrlSigner(const X509_CRL* crl, const std::vector<const X509*>& candidates) {
    for (const X509* ca : candidates) {
        if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(ca)) != 0) {
            continue;
        }
        // X509_get_key_usage caches extensions and so takes a non-const pointer; it does not modify the cert.
        X509* mutableCa = const_cast<X509*>(ca);
        const std::uint32_t usage = X509_get_key_usage(mutableCa);
        EVP_PKEY* key = X509_get0_pubkey(ca);
        const bool ok =
            (usage & KU_CRL_SIGN) != 0 && key != nullptr && X509_CRL_verify(const_cast<X509_CRL*>(crl), key) == 1;
        ERR_clear_error();
        if (ok) {
            return ca;
        }
    }
    return nullptr;
}

} // namespace cpslock::card
