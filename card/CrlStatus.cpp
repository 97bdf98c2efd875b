// SPDX-License-Identifier: EUPL-1.2
#include "card/CrlStatus.h"

#include "card/CrlFile.h"
#include "card/CrlInstaller.h"

namespace cpslock::card {
namespace {

using Clock = std::chrono::system_clock;

CaCrlStatus::State judge(const CrlFile& crl, Clock::time_point now, std::chrono::seconds maxAge) {
    if (*crl.thisUpdate > now)
        return CaCrlStatus::State::Future;
    if (crl.nextUpdate && *crl.nextUpdate < now)
        return CaCrlStatus::State::Expired;
    if (now - *crl.thisUpdate > maxAge)
        return CaCrlStatus::State::Stale;
    return CaCrlStatus::State::Fresh;
}

} // namespace

const char* toString(CaCrlStatus::State state) {
    switch (state) {
    case CaCrlStatus::State::Fresh: return "fresh";
    case CaCrlStatus::State::Stale: return "stale";
    case CaCrlStatus::State::Expired: return "expired";
    case CaCrlStatus::State::Future: return "future";
    case CaCrlStatus::State::Missing: return "missing";
    }
    return "?";
}

std::string commonNameOf(const std::string& subject) {
    const std::size_t cn = subject.find("CN=");
    if (cn == std::string::npos)
        return subject;
    return subject.substr(cn + 3, subject.find(',', cn) - cn - 3);
}

std::string formatAge(Clock::duration age) {
    const auto hours = std::chrono::duration_cast<std::chrono::hours>(age).count();
    if (hours < 0)
        return "in the future";
    if (hours < 48)
        return std::to_string(hours) + " h";
    return std::to_string(hours / 24) + " d " + std::to_string(hours % 24) + " h";
}

std::string CaCrlStatus::describe(Clock::time_point now) const {
    const std::string name = commonNameOf(caSubject);
    std::string line = toString(state);
    line.resize(8, ' ');
    line += " " + name;
    if (thisUpdate) {
        line += ": thisUpdate " + formatUtc(*thisUpdate) + " (" + formatAge(now - *thisUpdate) + " old)";
        line += nextUpdate ? ", nextUpdate " + formatUtc(*nextUpdate) : std::string(", no nextUpdate");
        line += " [" + file.filename().string() + "]";
    }
    if (!cardChain)
        line += " (not in the policy's card chains)";
    return line;
}

CrlReport crlStatus(const TrustStore& store, const std::filesystem::path& crlFolder, std::chrono::seconds maxAge,
                    const std::set<std::string>& issuerKeyIds, const std::set<std::string>& rootKeyIds,
                    Clock::time_point now) {
    CrlReport report;
    const std::vector<CrlFile> crls = readCrlFolder(crlFolder, report.warnings);
    std::vector<const X509*> cas;
    for (const auto* group : {&store.anchors(), &store.intermediates()})
        for (const auto& cert : *group)
            cas.push_back(cert.get());
    for (const X509* ca : cas) {
        CaCrlStatus status;
        status.caSubject = nameToString(X509_get_subject_name(ca));
        status.keyId = subjectKeyIdHex(ca);
        status.root = X509_NAME_cmp(X509_get_subject_name(ca), X509_get_issuer_name(ca)) == 0;
        status.cardChain = issuerKeyIds.contains(status.keyId) || rootKeyIds.contains(status.keyId);
        const CrlFile* newest = nullptr;
        for (const CrlFile& crl : crls) {
            if (crl.thisUpdate && (newest == nullptr || *crl.thisUpdate > *newest->thisUpdate) &&
                findCrlSigner(crl.crl.get(), {ca}) != nullptr)
                newest = &crl;
        }
        if (newest != nullptr) {
            status.file = newest->file;
            status.thisUpdate = newest->thisUpdate;
            status.nextUpdate = newest->nextUpdate;
            status.state = judge(*newest, now, maxAge);
        }
        report.cas.push_back(std::move(status));
    }
    // A card chain: leaf -> issuing CA (needs its CRL) -> root (needs the root's CRL).
    for (std::size_t i = 0; i < cas.size(); ++i) {
        const CaCrlStatus& issuer = report.cas[i];
        if (issuer.root || !issuerKeyIds.contains(issuer.keyId))
            continue;
        report.presentIssuers.push_back(issuer.keyId);
        bool rootUsable = false;
        for (std::size_t j = 0; j < cas.size(); ++j) {
            if (report.cas[j].root && X509_NAME_cmp(X509_get_subject_name(cas[j]), X509_get_issuer_name(cas[i])) == 0)
                rootUsable = rootUsable || report.cas[j].usable();
        }
        if (issuer.usable() && rootUsable)
            report.usableIssuers.push_back(issuer.keyId);
    }
    return report;
}

} // namespace cpslock::card
