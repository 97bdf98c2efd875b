// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "tools/cli/Commands.h"
#include "tools/cli/PolicyOption.h"

#include <optional>
#include <string>
#include <string_view>

namespace cpslock::cli {

/// The argument handling every sub-command shares: --help/-h prints its help on standard output and
/// exits 0; a usage error names itself on stderr ("cpslock NAME: …"), then the help, and exits 2.
class SubCommand {
public:
    /// @p name as messages show it ("check-policy", "crl update"); @p help ends with its exit statuses.
    constexpr SubCommand(const char* name, const char* help) : m_name(name), m_help(help) {}

    static bool isHelp(std::string_view arg) { return arg == "--help" || arg == "-h"; }

    /// The help on standard output; exit status 0.
    int help() const;
    /// "cpslock NAME: MESSAGE", a blank line and the help on stderr; exit status 2.
    int usageError(const std::string& message) const;

    /// A sub-command with a verb (`cpslock crl update`): no argument prints the help on stderr (exit 2),
    /// --help/-h on standard output (exit 0), another word than @p verb is a usage error. nullopt when
    /// args[0] is @p verb.
    std::optional<int> checkVerb(Args args, std::string_view verb) const;

    /// args[i] as --policy/--policy-dir of @p option (i advanced past its value); anything else is a
    /// usage error ("bad policy option", "unknown argument '…'"). nullopt when consumed.
    std::optional<int> policyOption(PolicyOption& option, Args args, std::size_t& i) const;

private:
    const char* m_name;
    const char* m_help;
};

} // namespace cpslock::cli
