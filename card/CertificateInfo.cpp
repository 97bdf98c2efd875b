// SPDX-License-Identifier: EUPL-1.2
#include "card/CertificateInfo.h"

#include "card/CardProfile.h"
#include "card/TrustStore.h"

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>

namespace cpslock::card {
namespace {
std::optional<std::chrono::system_clock::time_point> toTimePoint(const ASN1_TIME* t) {
    std::tm tm{};
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
        return std::nullopt;
    return std::chrono::system_clock::from_time_t(timegm(&tm));
}
} // namespace

std::optional<CertificateInfo> describeCertificate(std::span<const std::uint8_t> der) {
    const unsigned char* p = der.data();
    X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    if (!cert || p != der.data() + der.size())
        return std::nullopt;
    CertificateInfo info;
    info.subject = nameToString(X509_get_subject_name(cert.get()));
    info.issuer = nameToString(X509_get_issuer_name(cert.get()));
    if (const ASN1_INTEGER* serial = X509_get0_serialNumber(cert.get())) {
        info.serialHex = toHex(std::span<const std::uint8_t>(ASN1_STRING_get0_data(serial),
                                                             static_cast<std::size_t>(ASN1_STRING_length(serial))));
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(der.data(), der.size(), digest, &length, EVP_sha256(), nullptr) == 1)
        info.sha256Hex = toLowerHex(std::span<const std::uint8_t>(digest, length));
    const auto notBefore = toTimePoint(X509_get0_notBefore(cert.get()));
    const auto notAfter = toTimePoint(X509_get0_notAfter(cert.get()));
    if (!notBefore || !notAfter)
        return std::nullopt;
    info.notBefore = *notBefore;
    info.notAfter = *notAfter;
    const CardOrigin origin = readCardOrigin(cert.get());
    info.productCategory = origin.productCategory;
    info.cardTypeCode = origin.cardTypeCode;
    info.tokenId = origin.tokenId;
    info.originError = origin.error;
    if (const ASN1_OCTET_STRING* akid = X509_get0_authority_key_id(cert.get()))
        info.authorityKeyId = toHex(std::span<const std::uint8_t>(ASN1_STRING_get0_data(akid),
                                                                  static_cast<std::size_t>(ASN1_STRING_length(akid))));
    if (auto* policies = static_cast<CERTIFICATEPOLICIES*>(
            X509_get_ext_d2i(cert.get(), NID_certificate_policies, nullptr, nullptr))) {
        for (int i = 0; i < sk_POLICYINFO_num(policies) && i < 16; ++i) {
            char buffer[128];
            const int len = OBJ_obj2txt(buffer, sizeof buffer, sk_POLICYINFO_value(policies, i)->policyid, 1);
            if (len > 0 && static_cast<std::size_t>(len) < sizeof buffer)
                info.policyOids.emplace_back(buffer, static_cast<std::size_t>(len));
        }
        CERTIFICATEPOLICIES_free(policies);
    }
    ERR_clear_error();
    return info;
}

std::string isoUtc(std::chrono::system_clock::time_point t) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char buffer[32];
    (void)std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buffer;
}

} // namespace cpslock::card
