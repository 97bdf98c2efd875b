// SPDX-License-Identifier: EUPL-1.2
#include "card/CertificateVerifier.h"

#include "card/CrlFile.h"

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

std::string formatTime(const ASN1_TIME* time) {
    BioPtr bio(BIO_new(BIO_s_mem()));
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

struct RevocationFinding {
    std::optional<Refusal> revoked;    ///< a valid CRL lists a certificate of the chain
    std::vector<std::string> problems; ///< missing or stale CRLs
};

RevocationFinding findRevocation(STACK_OF(X509) * chain, const std::vector<CrlFile>& crls, Clock::time_point now,
                                 std::chrono::seconds maxAge) {
    RevocationFinding finding;
    const int length = sk_X509_num(chain);
    // Every link except the self-signed anchor has a CRL from its issuer.
    for (int i = 0; i + 1 < length; ++i) {
        X509* cert = sk_X509_value(chain, i);
        X509* issuer = sk_X509_value(chain, i + 1);
        EVP_PKEY* issuerKey = X509_get0_pubkey(issuer);
        const X509_CRL* newest = nullptr;
        Clock::time_point newestUpdate{};
        for (const auto& file : crls) {
            const X509CrlPtr& crl = file.crl;
            // Same issuer name is not enough: only a CRL signed by the issuer's key counts.
            if (X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_subject_name(issuer)) != 0 ||
                issuerKey == nullptr || X509_CRL_verify(crl.get(), issuerKey) != 1) {
                ERR_clear_error();
                continue;
            }
            X509_REVOKED* entry = nullptr;
            if (X509_CRL_get0_by_cert(crl.get(), &entry, cert) == 1 && !finding.revoked) {
                finding.revoked =
                    refuse(RefusalReason::Revoked,
                           "certificate serial " + serialOf(cert) + " (" + subjectOf(cert) + ") revoked on " +
                               formatTime(X509_REVOKED_get0_revocationDate(entry)) + " by CRL of " + subjectOf(issuer));
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
    default: return refuse(RefusalReason::UntrustedChain, detail);
    }
}

/// Owns the verification context and hands out the chain it built (leaf first, root last).
class ChainBuilder {
public:
    Result<void, Refusal> build(const TrustStore& trust, X509* leaf, const std::vector<Bytes>& cardIntermediatesDer,
                                Clock::time_point now, std::vector<std::string>& warnings) {
        m_store.reset(X509_STORE_new());
        m_ctx.reset(X509_STORE_CTX_new());
        m_untrusted.reset(sk_X509_new_null());
        if (!m_store || !m_ctx || !m_untrusted) {
            return refuse(RefusalReason::ModuleError, "out of memory building the X.509 store");
        }
        for (const auto& anchor : trust.anchors()) {
            X509_STORE_add_cert(m_store.get(), anchor.get());
        }
        // Intermediates are path-building hints only: untrusted, they never end a chain by themselves.
        for (const auto& der : cardIntermediatesDer) {
            if (X509Ptr cert = parseDerCertificate(der)) {
                m_fromCard.push_back(std::move(cert));
            } else {
                warnings.push_back("ignored an unparsable intermediate certificate read from the card");
            }
        }
        for (const auto& cert : trust.intermediates()) {
            sk_X509_push(m_untrusted.get(), cert.get());
        }
        for (const auto& cert : m_fromCard) {
            sk_X509_push(m_untrusted.get(), cert.get());
        }
        if (X509_STORE_CTX_init(m_ctx.get(), m_store.get(), leaf, m_untrusted.get()) != 1) {
            ERR_clear_error();
            return refuse(RefusalReason::ModuleError, "cannot initialise the X.509 verification");
        }
        X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(m_ctx.get());
        X509_VERIFY_PARAM_set_time(param, Clock::to_time_t(now));
        // No X509_V_FLAG_PARTIAL_CHAIN: the chain must end on a self-signed anchor of the store.
        X509_VERIFY_PARAM_clear_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
        X509_VERIFY_PARAM_set_depth(param, 4);
        const int verified = X509_verify_cert(m_ctx.get());
        ERR_clear_error();
        if (verified != 1) {
            return chainRefusal(m_ctx.get());
        }
        return {};
    }

    STACK_OF(X509) * chain() const { return X509_STORE_CTX_get0_chain(m_ctx.get()); }

private:
    X509StorePtr m_store;
    X509StoreCtxPtr m_ctx;
    X509StackPtr m_untrusted;
    std::vector<X509Ptr> m_fromCard;
};

std::string sha256Of(std::span<const std::uint8_t> der) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(der.data(), der.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
        ERR_clear_error();
        return {};
    }
    return toLowerHex(std::span<const std::uint8_t>(digest, length));
}

} // namespace

CrlSet loadCrlFolder(const std::filesystem::path& folder) {
    CrlSet set;
    set.crls = readCrlFolder(folder, set.warnings);
    return set;
}

CertificateVerifier::CertificateVerifier(const TrustStore& trust, RevocationConfig revocation, const Denylist& denylist,
                                         CardProfile profile)
    : m_trust(trust), m_revocation(std::move(revocation)), m_denylist(denylist), m_profile(std::move(profile)) {}

CertificateCheck CertificateVerifier::verify(std::span<const std::uint8_t> cardCertificateDer,
                                             const std::vector<Bytes>& cardIntermediatesDer,
                                             std::string_view cardSerial, Clock::time_point now) const {
    CertificateCheck result;
    // The SHA-256 of the bytes as read: it names even a certificate that does not parse.
    result.sha256Hex = sha256Of(cardCertificateDer);
    X509Ptr leaf = parseDerCertificate(cardCertificateDer);
    if (!leaf) {
        result.refusal =
            refuse(RefusalReason::MalformedCertificate, "card certificate is not one DER X.509 certificate (" +
                                                            std::to_string(cardCertificateDer.size()) + " bytes)");
    } else {
        result.serialHex = serialOf(leaf.get());
        result.subject = subjectOf(leaf.get());
        result.issuer = nameToString(X509_get_issuer_name(leaf.get()));
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
        result.profile.origin = readCardOrigin(leaf.get());
        if (auto judged = judge(leaf.get(), cardIntermediatesDer, cardSerial, now, result); !judged.ok())
            result.refusal = judged.error();
    }
    if (result.refusal) {
        // Every verdict names the certificate it judged, so an audit line alone says which one.
        result.refusal->detail += " [certificate sha256 " + (result.sha256Hex.empty() ? "?" : result.sha256Hex) +
                                  ", subject \"" + result.subject + "\", issuer \"" + result.issuer + "\"]";
    }
    return result;
}

Result<void, Refusal> CertificateVerifier::judge(X509* leaf, const std::vector<Bytes>& cardIntermediatesDer,
                                                 std::string_view cardSerial, Clock::time_point now,
                                                 CertificateCheck& result) const {
    ProfileFacts& facts = result.profile;
    if (auto r = checkDenylist(cardSerial, result); !r.ok())
        return r;
    if (auto r = checkStructure(leaf); !r.ok())
        return r;
    ChainBuilder chain;
    if (auto r = chain.build(m_trust, leaf, cardIntermediatesDer, now, result.warnings); !r.ok())
        return r;
    if (auto r = checkEndEntity(leaf); !r.ok())
        return r;
    if (auto r = checkKeyUsage(leaf); !r.ok())
        return r;
    if (auto r = checkExtendedKeyUsage(leaf); !r.ok())
        return r;
    if (auto r = checkCryptoFloor(chain.chain(), m_profile); !r.ok())
        return r;
    if (auto r = checkIssuerPinned(chain.chain(), m_profile, facts); !r.ok())
        return r;
    if (auto r = checkProductCategory(m_profile, facts); !r.ok())
        return r;
    if (auto r = checkCardType(facts); !r.ok())
        return r;
    if (auto r = checkTokenId(cardSerial, facts); !r.ok())
        return r;
    if (auto r = checkIssuerMatchesCardType(m_profile, facts); !r.ok())
        return r;
    if (auto r = checkCertificatePolicies(leaf, m_profile, facts); !r.ok())
        return r;
    if (auto r = checkSubject(leaf, facts); !r.ok())
        return r;
    if (auto r = checkCardTypeCrossCheck(m_profile, facts); !r.ok())
        return r;
    return checkRevocation(chain.chain(), now, result);
}

// The local deny-list is the admin's explicit word: it applies whatever the PKI says.
Result<void, Refusal> CertificateVerifier::checkDenylist(std::string_view cardSerial,
                                                         const CertificateCheck& result) const {
    const DenylistEntry* denied = cardSerial.empty() ? nullptr : m_denylist.findCardSerial(cardSerial);
    if (denied == nullptr) {
        denied = m_denylist.findCertificateSha256(result.sha256Hex);
    }
    if (denied == nullptr) {
        return {};
    }
    const std::string what = denied->kind == DenylistEntry::Kind::CardSerial ? "card serial " + std::string(cardSerial)
                                                                             : "certificate sha256 " + result.sha256Hex;
    return refuse(RefusalReason::Denylisted, what + " deny-listed at " + denied->source +
                                                 (denied->date.empty() ? "" : " on " + denied->date) +
                                                 (denied->reason.empty() ? "" : " (" + denied->reason + ")"));
}

Result<void, Refusal> CertificateVerifier::checkRevocation(STACK_OF(X509) * chain, Clock::time_point now,
                                                           CertificateCheck& result) const {
    if (m_revocation.mode == RevocationMode::Off) {
        result.revocationUnchecked = true;
        return {};
    }
    std::shared_ptr<const CrlSet> crls = m_revocation.loaded;
    if (!crls)
        crls = std::make_shared<const CrlSet>(m_revocation.crlFolder.empty() ? CrlSet{}
                                                                             : loadCrlFolder(m_revocation.crlFolder));
    result.warnings.insert(result.warnings.end(), crls->warnings.begin(), crls->warnings.end());
    const RevocationFinding finding = findRevocation(chain, crls->crls, now, m_revocation.maxCrlAge);
    if (finding.revoked) {
        return *finding.revoked;
    }
    if (finding.problems.empty()) {
        return {};
    }
    std::string joined;
    for (const auto& problem : finding.problems) {
        joined += (joined.empty() ? "" : "; ") + problem;
    }
    if (m_revocation.mode == RevocationMode::Hard) {
        return refuse(RefusalReason::CrlStale, joined);
    }
    result.revocationUnchecked = true;
    result.warnings.push_back("revocation not checked (soft mode): " + joined);
    return {};
}

} // namespace cpslock::card
