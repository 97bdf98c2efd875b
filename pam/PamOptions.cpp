// SPDX-License-Identifier: EUPL-1.2
#include "pam/PamOptions.h"

#include <charconv>

namespace cpslock::pam {
namespace {

constexpr long kMaxSeconds = 600;

std::optional<std::chrono::seconds> parseSeconds(std::string_view text, long min) {
    long value = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc{} || ptr != end || value < min || value > kMaxSeconds) {
        return std::nullopt;
    }
    return std::chrono::seconds(value);
}

bool isSafePath(std::string_view path) {
    if (path.empty() || path.front() != '/' || path.size() > 4096) {
        return false;
    }
    for (const char c : path) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            return false;
        }
    }
    return true;
}

} // namespace

Result<ModuleOptions, OptionErrors> parseModuleOptions(std::span<const std::string_view> args) {
    ModuleOptions options;
    OptionErrors errors;
    for (const std::string_view arg : args) {
        const auto eq = arg.find('=');
        const std::string_view key = arg.substr(0, eq);
        const std::string_view value = eq == std::string_view::npos ? std::string_view{} : arg.substr(eq + 1);
        const bool hasValue = eq != std::string_view::npos;
        const std::string quoted = "\"" + std::string(arg) + "\"";
        if (key == "debug" && !hasValue) {
            options.debug = true;
        } else if (key == "timeout" && hasValue) {
            if (const auto s = parseSeconds(value, 1)) {
                options.timeout = *s;
            } else {
                errors.messages.push_back(quoted + ": timeout must be whole seconds from 1 to 600");
            }
        } else if (key == "wait_card" && hasValue) {
            if (const auto s = parseSeconds(value, 0)) {
                options.waitCard = *s;
            } else {
                errors.messages.push_back(quoted + ": wait_card must be whole seconds from 0 to 600");
            }
        } else if (key == "socket" && hasValue) {
            if (!isSafePath(value)) {
                errors.messages.push_back(quoted + ": socket must be an absolute path");
            } else {
                options.socket = std::string(value);
            }
        } else if ((key == "policy" || key == "helper") && hasValue) {
            // Retired with cpslock-auth: the policy is cpslockd's (--policy), the card is checked there.
            errors.messages.push_back(quoted + ": no longer supported: the policy and the card check belong to "
                                               "cpslockd (docs/pam.md)");
        } else {
            errors.messages.push_back(quoted + ": unknown option (known: debug, timeout=, wait_card=, socket=)");
        }
    }
    if (!errors.messages.empty()) {
        return errors;
    }
    return options;
}

} // namespace cpslock::pam
