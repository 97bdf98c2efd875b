// SPDX-License-Identifier: EUPL-1.2
#include "tools/cli/Commands.h"

#include "card/PolicyFiles.h"
#include "tools/cli/PolicyOption.h"
#include "core/policy/PolicyDescription.h"
#include "core/policy/PolicyLoader.h"

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

namespace cpslock::cli {
namespace {

constexpr const char* kHelp =
    "usage: cpslock check-policy [--policy FILE] [--policy-dir DIR] [--json]\n"
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
    "\n"
    "Exit status: 0 valid policy, 2 invalid policy or usage error.\n";

int usageError(const std::string& message) {
    std::fprintf(stderr, "cpslock check-policy: %s\n\n%s", message.c_str(), kHelp);
    return 2;
}

void printDiagnostics(const policy::LoadResult& result, bool includeNotes) {
    for (const policy::Diagnostic& d : result.diagnostics) {
        if (d.severity != policy::Diagnostic::Severity::Note || includeNotes)
            std::fprintf(stderr, "%s\n", d.format().c_str());
    }
}

} // namespace

int runCheckPolicy(Args args) {
    PolicyOption policyOption;
    bool json = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        if (arg == "--help" || arg == "-h") {
            std::fputs(kHelp, stdout);
            return 0;
        }
        if (arg == "--json") {
            json = true;
            continue;
        }
        const auto parsed = policyOption.parse(args, i, "check-policy");
        if (parsed == PolicyOption::Parse::Error)
            return usageError("bad policy option");
        if (parsed == PolicyOption::Parse::NotMine)
            return usageError("unknown argument '" + std::string(arg) + "'");
    }

    // The command line honours CPSLOCK_POLICY; programs that check users must not (docs/policy.md).
    std::optional<std::string> environment;
    if (const char* env = std::getenv("CPSLOCK_POLICY"))
        environment = env;
    const policy::PolicyLocation location =
        policy::resolvePolicyLocation(policyOption.file(), policyOption.dir(), environment);
    // The files the policy names are parsed by their own readers (card/PolicyFiles), so that
    // check-policy reports a bad deny-list line or a stray file among the anchors as the agent would.
    std::vector<std::string> anchorSubjects;
    const policy::LoadOptions options = card::policyLoadOptions(&anchorSubjects);
    const policy::LoadResult result = policy::loadPolicy(location, options);

    if (json) {
        std::fputs(policy::renderPolicyJson(result).c_str(), stdout);
        return result.ok() ? 0 : 2;
    }
    if (!result.ok()) {
        printDiagnostics(result, false);
        const std::size_t errors = result.errorCount();
        std::fprintf(stderr, "cpslock check-policy: %zu error%s: policy refused\n", errors, errors == 1 ? "" : "s");
        return 2;
    }
    std::fputs(policy::renderPolicyText(result).c_str(), stdout);
    if (!anchorSubjects.empty()) {
        std::fprintf(stdout, "# trust anchors in %s:\n", result.policy.trust.anchorsDir.c_str());
        for (const std::string& subject : anchorSubjects)
            std::fprintf(stdout, "#   %s\n", subject.c_str());
    }
    printDiagnostics(result, true);
    return 0;
}

} // namespace cpslock::cli
