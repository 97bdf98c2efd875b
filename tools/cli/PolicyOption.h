// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "tools/cli/Commands.h"

#include "core/policy/Policy.h"

#include <optional>
#include <string>

namespace cpslock::cli {

/// --policy FILE and --policy-dir DIR, shared by every command that reads the policy, and the one
/// way they load it (core/policy's loader, with the card/ readers checking the deny-list and the
/// trust anchors, as `cpslock check-policy` does).
class PolicyOption {
public:
    enum class Parse { NotMine, Consumed, Error };

    /// Looks at args[i] (and the value after it); advances i when it consumed a value.
    Parse parse(Args args, std::size_t& i, const char* command);

    /// Loads the policy. On errors prints every diagnostic (file:line:column) on stderr and
    /// returns nullopt: the caller exits 2.
    std::optional<policy::Policy> load(const char* command) const;

    const std::optional<std::string>& file() const { return m_file; }
    const std::optional<std::string>& dir() const { return m_dir; }

private:
    std::optional<std::string> m_file;
    std::optional<std::string> m_dir;
};

} // namespace cpslock::cli
