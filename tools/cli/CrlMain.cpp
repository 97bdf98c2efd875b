// SPDX-License-Identifier: EUPL-1.2
// cpslock-crl-update: `cpslock crl` in a process of its own. It is the only program of cpslock that
// talks to the network (libcurl, and through it TLS, GSSAPI, LDAP...): keeping it out of `cpslock`
// keeps all of that out of the process that reads a PIN (`cpslock verify`) and off its start time.
#include "tools/cli/Commands.h"

#include <string_view>
#include <vector>

int main(int argc, char** argv) {
    const std::vector<std::string_view> args(argv + 1, argv + argc);
    return cpslock::cli::runCrl(cpslock::cli::Args(args));
}
