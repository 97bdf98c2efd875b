#pragma once

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
    std::chrono::seconds timeout{30};  ///< "timeout=S": limit for each helper step (1..600)
    std::chrono::seconds waitCard{0};  ///< "wait_card=S": wait this long for a card (0..600)
    std::optional<std::string> policy; ///< "policy=/abs/file": passed as --policy
    std::optional<std::string> helper; ///< "helper=/abs/file": another cpslock-auth (root-owned)
};

struct OptionsResult {
    ModuleOptions options;
    std::vector<std::string> errors; ///< one per bad argument, naming it; non-empty = do not authenticate
    bool ok() const { return errors.empty(); }
};

/// Parses the module arguments. Unknown or malformed arguments are errors (a typo such as
/// "polcy=" must not silently fall back to the default policy).
OptionsResult parseModuleOptions(std::span<const std::string_view> args);

/// The PAM user name as it may be handed to cpslock-auth: 1..256 bytes, no control character,
/// no leading '-' (it travels in argv) and no '/'. nullopt when acceptable, else why not.
std::optional<std::string> checkUserName(std::string_view user);

} // namespace cpslock::pam
