// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include <string>
#include <vector>

namespace cpslock::agent {

/// Who runs this agent, from the system (NSS), never from the environment ($USER, $LOGNAME are the
/// caller's to set): the real uid's name and the names of all its groups.
struct SessionUser {
    std::string name;                ///< empty when the uid has no name
    std::vector<std::string> groups; ///< primary group first; groups without a name are left out
    std::string error;               ///< what went wrong reading them, empty when all went well
};

/// getpwuid_r(getuid()) + getgrouplist: the groups NSS knows now (a group change applies at once,
/// unlike the process's own supplementary groups, fixed at login).
SessionUser currentSessionUser();

/// Whether NSS knows a group of that name.
bool groupExists(const std::string& name);

} // namespace cpslock::agent
