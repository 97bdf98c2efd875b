// SPDX-License-Identifier: EUPL-1.2
#include "tools/cli/SubCommand.h"

#include <cstdio>

namespace cpslock::cli {

int SubCommand::help() const {
    std::fputs(m_help, stdout);
    return 0;
}

int SubCommand::usageError(const std::string& message) const {
    std::fprintf(stderr, "cpslock %s: %s\n\n%s", m_name, message.c_str(), m_help);
    return 2;
}

std::optional<int> SubCommand::checkVerb(Args args, std::string_view verb) const {
    if (args.empty()) {
        std::fputs(m_help, stderr);
        return 2;
    }
    if (isHelp(args[0]))
        return help();
    if (args[0] != verb)
        return usageError("unknown sub-command '" + std::string(args[0]) + "' (only '" + std::string(verb) + "')");
    return std::nullopt;
}

std::optional<int> SubCommand::policyOption(PolicyOption& option, Args args, std::size_t& i) const {
    const std::string_view arg = args[i];
    const auto parsed = option.parse(args, i, m_name);
    if (parsed == PolicyOption::Parse::Error)
        return usageError("bad policy option");
    if (parsed == PolicyOption::Parse::NotMine)
        return usageError("unknown argument '" + std::string(arg) + "'");
    return std::nullopt;
}

} // namespace cpslock::cli
