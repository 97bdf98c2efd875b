// SPDX-License-Identifier: EUPL-1.2
#include "tools/cli/Commands.h"

#include "card/CrlStatus.h"
#include "card/PolicyFiles.h"
#include "card/TrustStore.h"
#include "core/Result.h"
#include "core/policy/PolicyDescription.h"
#include "core/policy/PolicyLoader.h"
#include "platform/linux/DiskPolicyFiles.h"
#include "tools/cli/PolicyOption.h"
#include "tools/cli/SubCommand.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace cpslock::cli {
namespace {

constexpr const char* kHelp =
    "usage: cpslock check-policy [--policy FILE] [--policy-dir DIR] [--json] [--strict]\n"
    "\n"
    "Loads the policy exactly as the agent and the PAM helper do and prints the effective value of\n"
    "every key with the file:line:column it came from (or \"default\"). On any error, prints every\n"
    "error of every file and nothing else. Reference: docs/policy.md.\n"
    "\n"
    "  --policy FILE     main file (default: $CPSLOCK_POLICY, else /etc/cpslock/policy.toml)\n"
    "  --policy-dir DIR  drop-in folder, *.toml applied in name order (default: policy.d next to\n"
    "                    the main file)\n"
    "  --json            one JSON object on stdout: valid, files, policy, sources, errors,\n"
    "                    warnings, notes\n"
    "  --strict          also fail when every card would be refused: no card-issuing CA of\n"
    "                    trust.issuers_* among the anchors, revocation \"hard\" without a fresh CRL\n"
    "                    at every link of some card chain, a missing deny-list or anchors folder\n"
    "\n"
    "The text output ends with the CRL of every CA of the anchors: fresh, stale (older than\n"
    "trust.crl_max_age), expired (past its nextUpdate), future, or missing, with its age.\n"
    "\n"
    "Exit status: 0 valid policy, 2 invalid policy or usage error.\n"
    "With --strict: 1 when the policy is valid but every card would be refused.\n";

constexpr SubCommand kCommand("check-policy", kHelp);

struct CheckOptions {
    PolicyOption policy;
    bool json = false;
    bool strict = false;
};

/// The options; else the exit status to stop with (help, usage error).
Result<CheckOptions, int> parseOptions(Args args) {
    CheckOptions options;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        if (SubCommand::isHelp(arg))
            return kCommand.help();
        if (arg == "--json")
            options.json = true;
        else if (arg == "--strict")
            options.strict = true;
        else if (const auto stop = kCommand.policyOption(options.policy, args, i))
            return *stop;
    }
    return options;
}

void printDiagnostics(const policy::LoadResult& result, bool includeNotes) {
    for (const policy::Diagnostic& d : result.diagnostics) {
        if (d.severity != policy::Diagnostic::Severity::Note || includeNotes)
            std::fprintf(stderr, "%s\n", d.format().c_str());
    }
}

// The CRL of each CA of the anchors, as the revocation check will find it now.
card::CrlReport crlReportOf(const policy::Policy& p) {
    card::TrustStore store;
    if (!store.addAnchorFolder(p.trust.anchorsDir))
        return {};
    std::set<std::string> issuers;
    for (const auto* list : {&p.trust.issuersCps, &p.trust.issuersCpf, &p.trust.issuersCpe, &p.trust.issuersCpa})
        issuers.insert(list->begin(), list->end());
    const std::set<std::string> roots(p.trust.roots.begin(), p.trust.roots.end());
    return card::crlStatus(store, p.trust.crlDir, p.trust.crlMaxAge, issuers, roots, std::chrono::system_clock::now());
}

// Why no card could open a session under this (valid) policy; empty when some could.
std::vector<std::string> everyCardRefused(const policy::LoadResult& result, const card::CrlReport& report) {
    std::vector<std::string> why;
    for (const policy::Diagnostic& d : result.diagnostics) {
        if (d.message.find("every card will be refused") != std::string::npos)
            why.push_back(d.format());
    }
    if (report.presentIssuers.empty())
        why.emplace_back("no card-issuing CA of trust.issuers_* is in trust.anchors_dir (" +
                         result.policy.trust.anchorsDir + ")");
    else if (result.policy.trust.revocation == RevocationMode::Hard && report.usableIssuers.empty())
        why.emplace_back("trust.revocation is \"hard\" and no card-issuing CA has a fresh CRL at every link of its "
                         "chain in " +
                         result.policy.trust.crlDir + ": run 'cpslock crl update'");
    return why;
}

// The text output's end: the anchors, then the CRL of each CA as the revocation check finds it now.
void printTrustState(const policy::LoadResult& result, const std::vector<std::string>& anchorSubjects,
                     const card::CrlReport& crls) {
    if (!anchorSubjects.empty()) {
        std::fprintf(stdout, "# trust anchors in %s:\n", result.policy.trust.anchorsDir.c_str());
        for (const std::string& subject : anchorSubjects)
            std::fprintf(stdout, "#   %s\n", subject.c_str());
    }
    const auto now = std::chrono::system_clock::now();
    std::fprintf(stdout, "# CRLs in %s (trust.revocation = \"%s\", trust.crl_max_age = \"%s\"):\n",
                 result.policy.trust.crlDir.c_str(), std::string(toString(result.policy.trust.revocation)).c_str(),
                 policy::formatDuration(result.policy.trust.crlMaxAge).c_str());
    for (const card::CaCrlStatus& ca : crls.cas)
        std::fprintf(stdout, "#   %s\n", ca.describe(now).c_str());
    for (const std::string& warning : crls.warnings)
        std::fprintf(stdout, "#   warning: %s\n", warning.c_str());
}

// --strict: 1 when no card could open a session, with why on stderr.
int strictVerdict(const policy::LoadResult& result, const card::CrlReport& crls) {
    const std::vector<std::string> why = everyCardRefused(result, crls);
    if (why.empty())
        return 0;
    for (const std::string& reason : why)
        std::fprintf(stderr, "cpslock check-policy --strict: %s\n", reason.c_str());
    std::fprintf(stderr, "Avec cette politique, aucune carte ne peut ouvrir de session sur ce poste.\n"
                         "With this policy, no card can open a session on this PC.\n");
    return 1;
}

} // namespace

int runCheckPolicy(Args args) {
    const auto options = parseOptions(args);
    if (!options)
        return options.error();

    // The command line honours CPSLOCK_POLICY; programs that check users must not (docs/policy.md).
    std::optional<std::string> environment;
    if (const char* env = std::getenv("CPSLOCK_POLICY"))
        environment = env;
    const policy::PolicyLocation location =
        policy::resolvePolicyLocation(options->policy.file(), options->policy.dir(), environment);
    // The files the policy names are parsed by their own readers (card/PolicyFiles), so that
    // check-policy reports a bad deny-list line or a stray file among the anchors as the agent would.
    std::vector<std::string> anchorSubjects;
    const policy::LoadOptions loadOptions = card::policyLoadOptions(&anchorSubjects);
    const policy::LoadResult result = platform::loadPolicyFromDisk(location, loadOptions);

    if (options->json) {
        std::fputs(policy::renderPolicyJson(result).c_str(), stdout);
        if (!result.ok())
            return 2;
        return options->strict && !everyCardRefused(result, crlReportOf(result.policy)).empty() ? 1 : 0;
    }
    if (!result.ok()) {
        printDiagnostics(result, false);
        const std::size_t errors = result.errorCount();
        std::fprintf(stderr, "cpslock check-policy: %zu error%s: policy refused\n", errors, errors == 1 ? "" : "s");
        return 2;
    }
    std::fputs(policy::renderPolicyText(result).c_str(), stdout);
    const card::CrlReport crls = crlReportOf(result.policy);
    printTrustState(result, anchorSubjects, crls);
    printDiagnostics(result, true);
    return options->strict ? strictVerdict(result, crls) : 0;
}

} // namespace cpslock::cli
