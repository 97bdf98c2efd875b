// SPDX-License-Identifier: EUPL-1.2
// cpslock-crl-update: `cpslock crl` in a process of its own. It is the only program of cpslock that
// talks to the network (libcurl, and through it TLS, GSSAPI, LDAP...): keeping it out of `cpslock`
// keeps all of that out of the process that reads a PIN (`cpslock verify`) and off its start time.
#include "core/Version.h"
#include "tools/cli/Commands.h"

#include <cstdio>
#include <string_view>
#include <vector>

int main(int argc, char** argv) {
    const std::vector<std::string_view> args(argv + 1, argv + argc);
    if (args.size() == 1 && args[0] == "--version") {
        std::printf("cpslock-crl-update %s\n", cpslock::kVersion);
        return 0;
    }
    return cpslock::cli::runCrl(cpslock::cli::Args(args));
}
