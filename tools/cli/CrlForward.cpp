// SPDX-License-Identifier: EUPL-1.2
#include "tools/cli/Commands.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include <unistd.h>

namespace cpslock::cli {

int runCrlElsewhere(Args args) {
    // Next to this program in a build tree, else where the packages install it: both are as
    // trusted as this program itself (never a PATH search).
    std::error_code ec;
    const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
    std::filesystem::path program = ec ? std::filesystem::path() : self.parent_path() / "cpslock-crl-update";
    if (program.empty() || !std::filesystem::exists(program, ec))
        program = CPSLOCK_CRL_UPDATE_PATH;
    std::vector<std::string> owned{"cpslock-crl-update"};
    for (std::string_view a : args)
        owned.emplace_back(a);
    std::vector<char*> argv;
    for (std::string& a : owned)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(program.c_str(), argv.data());
    std::fprintf(stderr, "cpslock crl: cannot start %s: %s\n", program.c_str(), std::strerror(errno));
    return 2;
}

} // namespace cpslock::cli
