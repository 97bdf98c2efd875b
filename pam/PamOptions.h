// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Result.h"

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cpslock::pam {

/// The arguments of a `pam_cpslock.so` line, checked. docs/pam.md documents each one.
struct ModuleOptions {
    bool debug = false;                ///< "debug": details to syslog LOG_AUTHPRIV (never the PIN)
    std::chrono::seconds timeout{30};  ///< "timeout=S": limit for each step of the verification (1..600)
    std::chrono::seconds waitCard{0};  ///< "wait_card=S": wait this long for a card (0..600)
    std::optional<std::string> socket; ///< "socket=/abs/path": cpslockd's socket (tests); default the system one
};

/// Every bad argument of the line, not just the first, so that one log shows them all.
struct OptionErrors {
    std::vector<std::string> messages; ///< one per bad argument, naming it
};

/// Parses the module arguments. Unknown or malformed arguments are errors (a typo such as
/// "polcy=" must not silently fall back to the default policy): then do not authenticate.
Result<ModuleOptions, OptionErrors> parseModuleOptions(std::span<const std::string_view> args);

} // namespace cpslock::pam
