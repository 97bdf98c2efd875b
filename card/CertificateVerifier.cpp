#include "card/CertificateVerifier.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <limits>
#include <system_error>

namespace cpslock::card {
namespace {

using Clock = std::chrono::system_clock;
constexpr std::uintmax_t kMaxCrlFileSize = 64U * 1024U * 1024U;

struct StackFree {
    void operator()(STACK_OF(X509) * p) const { sk_X509_free(p); }
};
using X509StackPtr = std::unique_ptr<STACK_OF(X509), StackFree>;

struct BioFree {
    void operator()(BIO* p) const { BIO_free(p); }
};

std::optional<Clock::time_point> toTimePoint(const ASN1_TIME* time) {
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
    return Clock::time_point{std::chrono::sys_days{ymd}} + std::chrono::hours{tm.tm_hour} +
           std::chrono::minutes{tm.tm_min} + std::chrono::seconds{tm.tm_sec};
}

std::string formatTime(const ASN1_TIME* time) {
    std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
    if (!bio || time == nullptr || ASN1_TIME_print(bio.get(), time) != 1) {
        return "?";
    }
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    return len > 0 ? std::string(data, static_cast<std::size_t>(len)) : std::string("?");
}

std::string serialOf(const X509* cert) {
    const ASN1_INTEGER* serial = X509_get0_serialNumber(cert);
    if (serial == nullptr) {
        return {};
    }
    const auto* data = ASN1_STRING_get0_data(serial);
    const int len = ASN1_STRING_length(serial);
    return len > 0 ? toHex(std::span(data, static_cast<std::size_t>(len))) : std::string("00");
}

std::string subjectOf(const X509* cert) {
    return nameToString(X509_get_subject_name(cert));
}

Refusal refuse(RefusalReason reason, std::string detail) {
    return Refusal{reason, std::move(detail), std::nullopt};
}

// Reads every CRL in the folder; unreadable files become warnings (a missing CRL is then
// caught by the freshness check, which is what hard mode refuses on).
std::vector<X509CrlPtr> loadCrls(const std::filesystem::path& folder, std::vector<std::string>& warnings) {
    std::vector<X509CrlPtr> crls;
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
            warnings.push_back(file.string() + ": unreadable or empty CRL file, ignored");
            continue;
        }
        std::ifstream in(file, std::ios::binary);
        const std::vector<unsigned char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        const unsigned char* p = bytes.data();
        X509CrlPtr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(bytes.size())));
        if (!crl || p != bytes.data() + bytes.size()) {
            crl.reset();
            std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
            if (bio) {
                crl.reset(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
            }
        }
        ERR_clear_error();
        if (!crl) {
            warnings.push_back(file.string() + ": not a DER or PEM CRL, ignored");
            continue;
        }
        crls.push_back(std::move(crl));
    }
    return crls;
}

struct RevocationFinding {
    std::optional<Refusal> revoked;  ///< a valid CRL lists a certificate of the chain
    std::vector<std::string> problems; ///< missing or stale CRLs
};

RevocationFinding checkRevocation(STACK_OF(X509) * chain, const std::vector<X509CrlPtr>& crls,
                                  Clock::time_point now, std::chrono::seconds maxAge) {
    RevocationFinding finding;
    const int length = sk_X509_num(chain);
    // Every link except the self-signed anchor has a CRL from its issuer.
    for (int i = 0; i + 1 < length; ++i) {
        X509* cert = sk_X509_value(chain, i);
        X509* issuer = sk_X509_value(chain, i + 1);
        EVP_PKEY* issuerKey = X509_get0_pubkey(issuer);
        const X509_CRL* newest = nullptr;
        Clock::time_point newestUpdate{};
        for (const auto& crl : crls) {
            // Same issuer name is not enough: only a CRL signed by the issuer's key counts.
            if (X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_subject_name(issuer)) != 0 ||
                issuerKey == nullptr || X509_CRL_verify(crl.get(), issuerKey) != 1) {
                ERR_clear_error();
                continue;
            }
            X509_REVOKED* entry = nullptr;
            if (X509_CRL_get0_by_cert(crl.get(), &entry, cert) == 1 && !finding.revoked) {
                finding.revoked = refuse(RefusalReason::Revoked,
                                         "certificate serial " + serialOf(cert) + " (" + subjectOf(cert) +
                                             ") revoked on " + formatTime(X509_REVOKED_get0_revocationDate(entry)) +
                                             " by CRL of " + subjectOf(issuer));
            }
            const auto thisUpdate = toTimePoint(X509_CRL_get0_lastUpdate(crl.get()));
            if (thisUpdate && (newest == nullptr || *thisUpdate > newestUpdate)) {
                newest = crl.get();
                newestUpdate = *thisUpdate;
            }
        }
        const std::string issuerName = subjectOf(issuer);
        if (newest == nullptr) {
            finding.problems.push_back("no CRL from " + issuerName);
            continue;
        }
        const ASN1_TIME* nextUpdateField = X509_CRL_get0_nextUpdate(newest);
        const auto nextUpdate = toTimePoint(nextUpdateField);
        if (newestUpdate > now) {
            finding.problems.push_back("CRL of " + issuerName + " issued in the future (" +
                                       formatTime(X509_CRL_get0_lastUpdate(newest)) + "): check the clock");
        } else if (nextUpdateField != nullptr && (!nextUpdate || *nextUpdate < now)) {
            finding.problems.push_back("CRL of " + issuerName + " expired (nextUpdate " + formatTime(nextUpdateField) +
                                       ")");
        } else if (now - newestUpdate > maxAge) {
            finding.problems.push_back("CRL of " + issuerName + " older than the maximum age (thisUpdate " +
                                       formatTime(X509_CRL_get0_lastUpdate(newest)) + ")");
        }
    }
    return finding;
}

Refusal chainRefusal(X509_STORE_CTX* ctx) {
    const int error = X509_STORE_CTX_get_error(ctx);
    const int depth = X509_STORE_CTX_get_error_depth(ctx);
    const X509* at = X509_STORE_CTX_get_current_cert(ctx);
    std::string detail = std::string("chain verification failed at depth ") + std::to_string(depth) + ": " +
                         X509_verify_cert_error_string(error);
    if (at != nullptr) {
        detail += " (" + subjectOf(at) + ")";
    }
    switch (error) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
        return refuse(RefusalReason::Expired, detail + ", notAfter " + formatTime(X509_get0_notAfter(at)));
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return refuse(RefusalReason::NotYetValid, detail + ", notBefore " + formatTime(X509_get0_notBefore(at)));
    default:
        return refuse(RefusalReason::UntrustedChain, detail);
    }
}

} // namespace

CertificateVerifier::CertificateVerifier(const TrustStore& trust, RevocationConfig revocation,
                                         const Denylist& denylist)
    : m_trust(trust), m_revocation(std::move(revocation)), m_denylist(denylist) {}

CertificateCheck CertificateVerifier::verify(std::span<const std::uint8_t> cardCertificateDer,
                                             const std::vector<Bytes>& cardIntermediatesDer,
                                             std::string_view cardSerial, Clock::time_point now) const {
    CertificateCheck result;
    X509Ptr leaf = parseDerCertificate(cardCertificateDer);
    if (!leaf) {
        result.refusal = refuse(RefusalReason::UntrustedChain, "card certificate is not a DER X.509 certificate (" +
                                                                   std::to_string(cardCertificateDer.size()) +
                                                                   " bytes)");
        return result;
    }

    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digestLen = 0;
    if (X509_digest(leaf.get(), EVP_sha256(), digest, &digestLen) != 1) {
        ERR_clear_error();
        result.refusal = refuse(RefusalReason::ModuleError, "cannot compute the certificate's SHA-256");
        return result;
    }
    result.sha256Hex = toLowerHex(std::span<const std::uint8_t>(digest, digestLen));
    result.serialHex = serialOf(leaf.get());
    result.subject = subjectOf(leaf.get());
    if (auto notAfter = toTimePoint(X509_get0_notAfter(leaf.get()))) {
        result.notAfter = *notAfter;
    }
    if (X509_PUBKEY* key = X509_get_X509_PUBKEY(leaf.get())) {
        unsigned char* der = nullptr;
        const int len = i2d_X509_PUBKEY(key, &der);
        if (len > 0) {
            result.publicKeyDer.assign(der, der + len);
        }
        OPENSSL_free(der);
    }

    // The local deny-list is the admin's explicit word: it applies whatever the PKI says.
    const DenylistEntry* denied = cardSerial.empty() ? nullptr : m_denylist.findCardSerial(cardSerial);
    if (denied == nullptr) {
        denied = m_denylist.findCertificateSha256(result.sha256Hex);
    }
    if (denied != nullptr) {
        const std::string what = denied->kind == DenylistEntry::Kind::CardSerial
                                     ? "card serial " + std::string(cardSerial)
                                     : "certificate sha256 " + result.sha256Hex;
        result.refusal = refuse(RefusalReason::Denylisted,
                                what + " deny-listed at " + denied->source +
                                    (denied->date.empty() ? "" : " on " + denied->date) +
                                    (denied->reason.empty() ? "" : " (" + denied->reason + ")"));
        return result;
    }

    std::unique_ptr<X509_STORE, OpenSslFree> store(X509_STORE_new());
    std::unique_ptr<X509_STORE_CTX, OpenSslFree> ctx(X509_STORE_CTX_new());
    X509StackPtr untrusted(sk_X509_new_null());
    if (!store || !ctx || !untrusted) {
        result.refusal = refuse(RefusalReason::ModuleError, "out of memory building the X.509 store");
        return result;
    }
    for (const auto& anchor : m_trust.anchors()) {
        X509_STORE_add_cert(store.get(), anchor.get());
    }
    // Intermediates are path-building hints only: untrusted, they never end a chain by themselves.
    std::vector<X509Ptr> fromCard;
    for (const auto& der : cardIntermediatesDer) {
        if (X509Ptr cert = parseDerCertificate(der)) {
            fromCard.push_back(std::move(cert));
        } else {
            result.warnings.push_back("ignored an unparsable intermediate certificate read from the card");
        }
    }
    for (const auto& cert : m_trust.intermediates()) {
        sk_X509_push(untrusted.get(), cert.get());
    }
    for (const auto& cert : fromCard) {
        sk_X509_push(untrusted.get(), cert.get());
    }
    if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), untrusted.get()) != 1) {
        ERR_clear_error();
        result.refusal = refuse(RefusalReason::ModuleError, "cannot initialise the X.509 verification");
        return result;
    }
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
    X509_VERIFY_PARAM_set_time(param, Clock::to_time_t(now));
    // No X509_V_FLAG_PARTIAL_CHAIN: the chain must end on a self-signed anchor of the store.
    X509_VERIFY_PARAM_clear_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
    X509_VERIFY_PARAM_set_depth(param, 4);

    const int verified = X509_verify_cert(ctx.get());
    ERR_clear_error();
    if (verified != 1) {
        result.refusal = chainRefusal(ctx.get());
        return result;
    }

    // The authentication key must be allowed to sign: no keyUsage at all is refused too, since
    // every IGC-Santé certificate carries one and a card certificate without it is not ours.
    const std::uint32_t flags = X509_get_extension_flags(leaf.get());
    if ((flags & EXFLAG_KUSAGE) == 0 || (X509_get_key_usage(leaf.get()) & KU_DIGITAL_SIGNATURE) == 0) {
        result.refusal = refuse(RefusalReason::BadKeyUsage,
                                (flags & EXFLAG_KUSAGE) == 0 ? "certificate has no keyUsage extension"
                                                             : "certificate keyUsage lacks digitalSignature");
        return result;
    }

    if (m_revocation.mode == RevocationMode::Off) {
        result.revocationUnchecked = true;
        return result;
    }
    const auto crls = m_revocation.crlFolder.empty() ? std::vector<X509CrlPtr>{}
                                                     : loadCrls(m_revocation.crlFolder, result.warnings);
    const RevocationFinding finding =
        checkRevocation(X509_STORE_CTX_get0_chain(ctx.get()), crls, now, m_revocation.maxCrlAge);
    if (finding.revoked) {
        result.refusal = finding.revoked;
        return result;
    }
    if (!finding.problems.empty()) {
        std::string joined;
        for (const auto& problem : finding.problems) {
            joined += (joined.empty() ? "" : "; ") + problem;
        }
        if (m_revocation.mode == RevocationMode::Hard) {
            result.refusal = refuse(RefusalReason::CrlStale, joined);
            return result;
        }
        result.revocationUnchecked = true;
        result.warnings.push_back("revocation not checked (soft mode): " + joined);
    }
    return result;
}

} // namespace cpslock::card
