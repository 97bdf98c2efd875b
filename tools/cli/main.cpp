// SPDX-License-Identifier: EUPL-1.2
#include "core/Version.h"
#include "tools/cli/Commands.h"

#include <cstdio>
#include <string_view>
#include <vector>

namespace {

struct Command {
    std::string_view name;
    int (*run)(cpslock::cli::Args);
    std::string_view summary;
};

constexpr Command kCommands[] = {
    {"readers", cpslock::cli::runReaders, "list readers and cards; --watch prints events as they happen"},
    {"check-policy", cpslock::cli::runCheckPolicy,
     "validate the policy files; print the effective policy or every error"},
    {"card", cpslock::cli::runCard, "what the CPS card in the reader says, without its PIN"},
    {"verify", cpslock::cli::runVerify, "full verification of the CPS card (PIN on standard input)"},
    {"report-lost", cpslock::cli::runReportLost, "report your CPS card lost or stolen: it never unlocks this PC again"},
    {"crl", cpslock::cli::runCrlElsewhere, "crl update: download the trust anchors' CRLs, check them, install them"},
    {"denylist", cpslock::cli::runDenylist, "denylist import FILE: add the ANS list of opposed cards (CSV)"},
};

void usage(std::FILE* out) {
    std::fprintf(out, "usage: cpslock COMMAND [OPTIONS]\n\ncommands:\n");
    for (const Command& c : kCommands)
        std::fprintf(out, "  %-14.*s %.*s\n", static_cast<int>(c.name.size()), c.name.data(),
                     static_cast<int>(c.summary.size()), c.summary.data());
    std::fprintf(out, "\n'cpslock COMMAND --help' describes a command; 'cpslock --version' prints the version.\n");
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string_view> args(argv + 1, argv + argc);
    if (args.empty()) {
        usage(stderr);
        return 2;
    }
    if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        usage(stdout);
        return 0;
    }
    if (args[0] == "--version") {
        std::printf("cpslock %s\n", CPSLOCK_VERSION);
        return 0;
    }
    for (const Command& c : kCommands) {
        if (c.name == args[0])
            return c.run(cpslock::cli::Args(args).subspan(1));
    }
    std::fprintf(stderr, "cpslock: unknown command '%.*s'\n", static_cast<int>(args[0].size()), args[0].data());
    usage(stderr);
    return 2;
}
