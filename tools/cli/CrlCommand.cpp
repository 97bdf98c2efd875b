// SPDX-License-Identifier: EUPL-1.2
// `cpslock crl update`: keeps trust.crl_dir fresh (issue 13). Run daily as root by
// cpslock-crl-update.timer; every CRL is checked against its CA before it replaces anything.
#include "tools/cli/Commands.h"

#include "card/CrlInstaller.h"
#include "card/CrlStatus.h"
#include "card/TrustStore.h"
#include "core/Result.h"
#include "tools/cli/HttpFetcher.h"
#include "tools/cli/PolicyOption.h"
#include "tools/cli/SubCommand.h"

#include <openssl/x509v3.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace cpslock::cli {
namespace {

constexpr const char* kHelp =
    "usage: cpslock crl update [--policy FILE] [--policy-dir DIR] [--proxy URL]\n"
    "                          [--connect-timeout SECONDS] [--timeout SECONDS]\n"
    "\n"
    "Downloads the CRLs of the trust anchors (the http:// distribution points of every CA certificate\n"
    "in trust.anchors_dir, plus trust.crl_urls), checks each against the CA that signed it and that it\n"
    "is newer than the one installed, then replaces the file in trust.crl_dir atomically. On any error\n"
    "the installed CRL stays. Prints one line per URL and the state of each CA's CRL.\n"
    "\n"
    "  --proxy URL              HTTP proxy to use (proxy environment variables are ignored)\n"
    "  --connect-timeout SECONDS  per download (default 15)\n"
    "  --timeout SECONDS        whole download, per URL (default 120)\n"
    "\n"
    "Exit status: 0 every CRL fresh, 1 a download or a CRL failed (the others were still installed),\n"
    "2 invalid policy, missing folder or usage error.\n";

constexpr SubCommand kCommand("crl update", kHelp);

struct CrlOptions {
    PolicyOption policy;
    HttpFetcher::Limits limits;
    std::string proxy;
};

std::optional<std::chrono::seconds> parseSeconds(std::string_view text) {
    long value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < 1 || value > 3600)
        return std::nullopt;
    return std::chrono::seconds(value);
}

bool isHttpUrl(std::string_view url) {
    return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}

// The http(s) URIs of a certificate's CRL distribution points (ldap:// and the rest ignored).
std::vector<std::string> distributionPoints(const X509* cert) {
    std::vector<std::string> urls;
    auto* points =
        static_cast<STACK_OF(DIST_POINT)*>(X509_get_ext_d2i(cert, NID_crl_distribution_points, nullptr, nullptr));
    for (int i = 0; points != nullptr && i < sk_DIST_POINT_num(points); ++i) {
        const DIST_POINT* point = sk_DIST_POINT_value(points, i);
        if (point->distpoint == nullptr || point->distpoint->type != 0)
            continue;
        const GENERAL_NAMES* names = point->distpoint->name.fullname;
        for (int j = 0; j < sk_GENERAL_NAME_num(names); ++j) {
            const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, j);
            if (name->type != GEN_URI)
                continue;
            const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
            std::string url(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                            static_cast<std::size_t>(ASN1_STRING_length(uri)));
            if (isHttpUrl(url) && url.size() <= 512)
                urls.push_back(std::move(url));
        }
    }
    sk_DIST_POINT_pop_free(points, DIST_POINT_free);
    return urls;
}

// "http://host/CRL/ACR-FO.crl?x" -> "ACR-FO.crl"; empty when not a plain, safe file name.
std::string fileNameOf(const std::string& url) {
    std::string path = url.substr(0, url.find_first_of("?#"));
    const std::size_t slash = path.rfind('/');
    std::string name = slash == std::string::npos ? std::string() : path.substr(slash + 1);
    const bool safe =
        !name.empty() && name.size() <= 100 && name.front() != '.' && std::all_of(name.begin(), name.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                   c == '-';
        });
    return safe && slash > url.find("://") + 2 ? name : std::string();
}

/// --proxy URL, --connect-timeout SECONDS or --timeout SECONDS with its value.
Result<void> applyDownloadOption(std::string_view name, std::string_view value, CrlOptions& options) {
    if (name == "--proxy") {
        if (!isHttpUrl(value))
            return fail("--proxy must be an http:// or https:// URL");
        options.proxy = std::string(value);
        return {};
    }
    const auto seconds = parseSeconds(value);
    if (!seconds)
        return fail(std::string(name) + " takes 1 to 3600 seconds, got '" + std::string(value) + "'");
    (name == "--timeout" ? options.limits.totalTimeout : options.limits.connectTimeout) = *seconds;
    return {};
}

/// The verb and the options after it; else the exit status to stop with (help, usage error).
Result<CrlOptions, int> parseOptions(Args args) {
    if (const auto stop = kCommand.checkVerb(args, "update"))
        return *stop;
    CrlOptions options;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        if (SubCommand::isHelp(arg))
            return kCommand.help();
        if (arg == "--proxy" || arg == "--connect-timeout" || arg == "--timeout") {
            if (i + 1 >= args.size())
                return kCommand.usageError(std::string(arg) + " needs a value");
            if (const auto applied = applyDownloadOption(arg, args[++i], options); !applied)
                return kCommand.usageError(applied.error().message);
            continue;
        }
        if (const auto stop = kCommand.policyOption(options.policy, args, i))
            return *stop;
    }
    return options;
}

/// The CRL URLs to fetch, each once: the anchors' (and intermediates') distribution points, then
/// trust.crl_urls.
std::vector<std::string> crlUrls(const card::TrustStore& store, const policy::Policy& policy) {
    std::vector<std::string> urls;
    auto addUrl = [&urls](std::string url) {
        if (std::find(urls.begin(), urls.end(), url) == urls.end())
            urls.push_back(std::move(url));
    };
    for (const auto* group : {&store.anchors(), &store.intermediates()}) {
        for (const auto& cert : *group) {
            for (std::string& url : distributionPoints(cert.get()))
                addUrl(std::move(url));
        }
    }
    for (const std::string& url : policy.trust.crlUrls)
        addUrl(url);
    return urls;
}

/// Downloads and installs every CRL, one line per URL; the number of failures.
int installAll(const std::vector<std::string>& urls, const card::CrlInstaller& installer, const HttpFetcher& fetcher) {
    int failures = 0;
    for (const std::string& url : urls) {
        const auto download = fetcher.get(url);
        if (!download) {
            ++failures;
            std::printf("FAILED     %s: download: %s (installed CRL kept)\n", url.c_str(),
                        download.error().message.c_str());
            continue;
        }
        const auto now = std::chrono::system_clock::now();
        const card::CrlInstallOutcome outcome = installer.install(*download, fileNameOf(url), now);
        const std::string ca =
            outcome.caSubject.empty() ? std::string() : " [" + card::commonNameOf(outcome.caSubject) + "]";
        using Result = card::CrlInstallOutcome::Result;
        if (outcome.result == Result::Refused) {
            ++failures;
            std::printf("FAILED     %s%s: %s\n", url.c_str(), ca.c_str(), outcome.detail.c_str());
            continue;
        }
        if (outcome.expired)
            ++failures;
        std::printf("%-10s %s%s -> %s (%s)%s\n", outcome.result == Result::Installed ? "installed" : "unchanged",
                    url.c_str(), ca.c_str(), outcome.file.filename().c_str(), outcome.detail.c_str(),
                    outcome.expired ? " EXPIRED: the server publishes an expired CRL" : "");
    }
    return failures;
}

/// Per CA: what the revocation check will find now; the exit status of the whole update.
int reportCas(const card::TrustStore& store, const policy::Policy& policy, int failures) {
    std::set<std::string> issuers;
    for (const auto* list :
         {&policy.trust.issuersCps, &policy.trust.issuersCpf, &policy.trust.issuersCpe, &policy.trust.issuersCpa})
        issuers.insert(list->begin(), list->end());
    const std::set<std::string> roots(policy.trust.roots.begin(), policy.trust.roots.end());
    const auto now = std::chrono::system_clock::now();
    const card::CrlReport report = card::crlStatus(
        store, policy.trust.crlDir, std::chrono::seconds(policy.trust.crlMaxAge.count()), issuers, roots, now);
    int chainProblems = 0;
    std::printf("\nCRL per CA in %s:\n", policy.trust.anchorsDir.c_str());
    for (const card::CaCrlStatus& ca : report.cas) {
        std::printf("  %s\n", ca.describe(now).c_str());
        if (ca.cardChain && !ca.usable())
            ++chainProblems;
    }
    if (failures > 0 || chainProblems > 0) {
        std::printf("\nÉchec de la mise à jour des CRL (%d erreur(s), %d AC sans CRL à jour) ; les CRL installées "
                    "sont conservées.\nCRL update failed (%d error(s), %d CA(s) of the card chains without a fresh "
                    "CRL); the installed CRLs were kept.\n",
                    failures, chainProblems, failures, chainProblems);
        return 1;
    }
    std::printf("\nCRL à jour. / CRLs up to date.\n");
    return 0;
}

} // namespace

int runCrl(Args args) {
    auto options = parseOptions(args);
    if (!options)
        return options.error();
    const auto policy = options->policy.load("crl update");
    if (!policy)
        return 2;
    card::TrustStore store;
    if (auto added = store.addAnchorFolder(policy->trust.anchorsDir); !added) {
        std::fprintf(stderr, "cpslock crl update: %s\n", added.error().message.c_str());
        return 2;
    }
    std::error_code ec;
    if (!std::filesystem::is_directory(policy->trust.crlDir, ec)) {
        std::fprintf(stderr, "cpslock crl update: trust.crl_dir %s is not a folder\n", policy->trust.crlDir.c_str());
        return 2;
    }
    std::vector<const X509*> cas;
    for (const auto* group : {&store.anchors(), &store.intermediates()}) {
        for (const auto& cert : *group)
            cas.push_back(cert.get());
    }
    const card::CrlInstaller installer(policy->trust.crlDir, cas);
    const int failures = installAll(crlUrls(store, *policy), installer, HttpFetcher(options->limits, options->proxy));
    return reportCas(store, *policy, failures);
}

} // namespace cpslock::cli
