// SPDX-License-Identifier: EUPL-1.2
#include "card/CrlInstaller.h"

#include "core/FileWrite.h"
#include "core/Hex.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <algorithm>

#include <fcntl.h>
#include <sys/stat.h>

namespace cpslock::card {
namespace {

using Clock = std::chrono::system_clock;
// A CRL stamped slightly ahead of this PC's clock is normal; hours ahead means a wrong clock.
constexpr auto kClockSkew = std::chrono::minutes(30);

std::vector<std::uint8_t> derOf(const X509_CRL* crl) {
    unsigned char* out = nullptr;
    const int len = i2d_X509_CRL(const_cast<X509_CRL*>(crl), &out);
    std::vector<std::uint8_t> der;
    if (len > 0 && out != nullptr)
        der.assign(out, out + len);
    OPENSSL_free(out);
    return der;
}

// -1, 0, 1 as a <=> b for two hex numbers.
int compareHex(const std::string& a, const std::string& b) {
    BIGNUM* x = nullptr;
    BIGNUM* y = nullptr;
    BN_hex2bn(&x, a.c_str());
    BN_hex2bn(&y, b.c_str());
    const int c = (x == nullptr || y == nullptr) ? 0 : BN_cmp(x, y);
    BN_free(x);
    BN_free(y);
    return c;
}

std::string describe(const CrlFile& crl) {
    std::string text = "thisUpdate " + (crl.thisUpdate ? formatUtc(*crl.thisUpdate) : std::string("?"));
    text += crl.nextUpdate ? ", nextUpdate " + formatUtc(*crl.nextUpdate) : std::string(", no nextUpdate");
    if (crl.crlNumberHex)
        text += ", cRLNumber " + *crl.crlNumberHex;
    return text;
}

std::string subjectOf(const X509* cert) {
    return nameToString(X509_get_subject_name(cert));
}

CrlInstallOutcome refused(CrlInstallOutcome outcome, std::string why) {
    outcome.result = CrlInstallOutcome::Result::Refused;
    outcome.detail = std::move(why);
    return outcome;
}

CrlInstallOutcome done(CrlInstallOutcome outcome, CrlInstallOutcome::Result result, const CrlFile& crl,
                       Clock::time_point now) {
    outcome.result = result;
    outcome.detail = describe(crl);
    outcome.expired = crl.nextUpdate && *crl.nextUpdate < now;
    return outcome;
}

// How a CRL compares with an installed one of the same CA, when it may replace it or leave it as it is.
enum class Newness { Newer, Same };

// Fails with why `fresh` must not replace `installed` (same CA).
Result<Newness> compareWithInstalled(const CrlFile& fresh, const CrlFile& installed) {
    const std::string where = " (" + installed.file.filename().string() + ": " + describe(installed) + ")";
    if (derOf(fresh.crl.get()) == derOf(installed.crl.get()))
        return Newness::Same;
    if (fresh.crlNumberHex && installed.crlNumberHex) {
        const int c = compareHex(*fresh.crlNumberHex, *installed.crlNumberHex);
        if (c < 0)
            return fail("older than the installed CRL" + where +
                        ": a replay or a lagging server, kept the installed one");
        if (c == 0)
            return fail("same cRLNumber as the installed CRL but another content" + where + ", kept the installed one");
        if (*fresh.thisUpdate < *installed.thisUpdate)
            return fail("higher cRLNumber but an earlier thisUpdate than the installed CRL" + where +
                        ", kept the installed one");
        return Newness::Newer;
    }
    if (*fresh.thisUpdate < *installed.thisUpdate)
        return fail("older than the installed CRL" + where + ": a replay or a lagging server, kept the installed one");
    if (*fresh.thisUpdate == *installed.thisUpdate)
        return Newness::Same;
    return Newness::Newer;
}

bool isNewer(const CrlFile& a, const CrlFile& b) {
    const auto newness = compareWithInstalled(a, b);
    return newness && *newness == Newness::Newer;
}

// The newest CRL of the folder signed by `signer`; nullptr when it has none.
const CrlFile* newestOfCa(const std::vector<CrlFile>& installed, const X509* signer) {
    const CrlFile* newest = nullptr;
    for (const CrlFile& crl : installed) {
        if (!crl.thisUpdate || findCrlSigner(crl.crl.get(), {signer}) == nullptr)
            continue;
        if (newest == nullptr || isNewer(crl, *newest))
            newest = &crl;
    }
    return newest;
}

struct SignedCrl {
    CrlFile crl;
    const X509* signer = nullptr;
};

// What a download must be before it is compared with the installed CRLs: a CRL, signed by one of
// `cas`, full (not a delta), with a thisUpdate not in the future. Tells `outcome` the CA and the
// dates as soon as they are known.
Result<SignedCrl> checkDownload(std::span<const std::uint8_t> downloaded, const std::vector<const X509*>& cas,
                                Clock::time_point now, CrlInstallOutcome& outcome) {
    auto fresh = parseCrl(downloaded);
    if (!fresh)
        return fail("not a DER or PEM CRL (" + std::to_string(downloaded.size()) + " bytes)");
    const X509* signer = findCrlSigner(fresh->crl.get(), cas);
    if (signer == nullptr)
        return fail("not signed by any CA certificate of trust.anchors_dir (CRL issuer " +
                    nameToString(X509_CRL_get_issuer(fresh->crl.get())) + ")");
    outcome.caSubject = subjectOf(signer);
    outcome.thisUpdate = fresh->thisUpdate;
    outcome.nextUpdate = fresh->nextUpdate;
    int critical = 0;
    if (void* delta = X509_CRL_get_ext_d2i(fresh->crl.get(), NID_delta_crl, &critical, nullptr)) {
        ASN1_INTEGER_free(static_cast<ASN1_INTEGER*>(delta));
        return fail("a delta CRL: only full CRLs are installed");
    }
    ERR_clear_error();
    if (!fresh->thisUpdate)
        return fail("unreadable thisUpdate");
    if (*fresh->thisUpdate > now + kClockSkew)
        return fail("issued in the future (" + describe(*fresh) + "): check this PC's clock");
    return SignedCrl{std::move(*fresh), signer};
}

// Writes the CRL atomically, dated by its thisUpdate: `ls -l` and the tray's "newest file" age then
// tell how old the revocation data is, not when it was downloaded.
Result<void> writeCrl(const std::filesystem::path& target, const CrlFile& crl) {
    const auto der = derOf(crl.crl.get());
    if (der.empty())
        return fail("cannot encode the CRL");
    const std::string_view bytes(reinterpret_cast<const char*>(der.data()), der.size());
    if (auto written = writeFileAtomically(target.string(), bytes, 0644); !written)
        return written;
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(crl.thisUpdate->time_since_epoch());
    const struct timespec times[2] = {{seconds.count(), 0}, {seconds.count(), 0}};
    utimensat(AT_FDCWD, target.c_str(), times, AT_SYMLINK_NOFOLLOW);
    return {};
}

} // namespace

std::string subjectKeyIdHex(const X509* cert) {
    const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(const_cast<X509*>(cert));
    if (ski == nullptr)
        return {};
    std::string hex = toHex(std::span(ASN1_STRING_get0_data(ski), static_cast<std::size_t>(ASN1_STRING_length(ski))));
    std::transform(hex.begin(), hex.end(), hex.begin(), [](char c) { return c >= 'a' && c <= 'f' ? c - 32 : c; });
    return hex;
}

CrlInstaller::CrlInstaller(std::filesystem::path folder, std::vector<const X509*> cas)
    : m_folder(std::move(folder)), m_cas(std::move(cas)) {}

CrlInstallOutcome CrlInstaller::install(std::span<const std::uint8_t> downloaded, const std::string& fileName,
                                        Clock::time_point now) const {
    CrlInstallOutcome outcome;
    auto checked = checkDownload(downloaded, m_cas, now, outcome);
    if (!checked)
        return refused(outcome, checked.error().message);
    const CrlFile& fresh = checked->crl;
    const X509* signer = checked->signer;

    std::vector<std::string> warnings;
    const std::vector<CrlFile> installed = readCrlFolder(m_folder, warnings);
    if (const CrlFile* newest = newestOfCa(installed, signer)) {
        outcome.file = newest->file;
        const auto newness = compareWithInstalled(fresh, *newest);
        if (!newness)
            return refused(outcome, newness.error().message);
        if (*newness == Newness::Same)
            return done(outcome, CrlInstallOutcome::Result::Unchanged, fresh, now);
    }
    auto target = targetFile(fileName, signer, installed);
    if (!target)
        return refused(outcome, target.error().message);
    if (auto written = writeCrl(*target, fresh); !written)
        return refused(outcome, written.error().message);
    outcome.file = *target;
    return done(outcome, CrlInstallOutcome::Result::Installed, fresh, now);
}

Result<std::filesystem::path> CrlInstaller::targetFile(const std::string& fileName, const X509* signer,
                                                       const std::vector<CrlFile>& installed) const {
    const std::string name = fileName.empty() ? subjectKeyIdHex(signer) + ".crl" : fileName;
    if (name.empty() || name.front() == '.' || name.find('/') != std::string::npos)
        return fail("unusable file name '" + name + "'");
    std::filesystem::path target = m_folder / name;
    // Two URLs ending in the same name must not overwrite each other's CRL.
    for (const CrlFile& crl : installed) {
        if (crl.file == target && findCrlSigner(crl.crl.get(), {signer}) == nullptr)
            return fail(target.string() + " holds the CRL of another CA: rename one of the URLs' files");
    }
    return target;
}

} // namespace cpslock::card
