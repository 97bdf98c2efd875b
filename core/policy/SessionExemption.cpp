// SPDX-License-Identifier: EUPL-1.2
#include "core/policy/SessionExemption.h"

#include <algorithm>

namespace cpslock::policy {

std::string_view toString(SessionExemption::By by) {
    return by == SessionExemption::By::Group ? "group" : "user";
}

std::optional<SessionExemption> sessionExemption(const Policy::Session& session, std::string_view user,
                                                 std::span<const std::string> groups) {
    // An empty name (the system could not say who we are) never matches: the policy's names are never empty.
    if (!user.empty() &&
        std::find(session.exemptUsers.begin(), session.exemptUsers.end(), user) != session.exemptUsers.end())
        return SessionExemption{SessionExemption::By::User, std::string(user)};
    for (const std::string& group : session.exemptGroups) {
        if (std::find(groups.begin(), groups.end(), group) != groups.end())
            return SessionExemption{SessionExemption::By::Group, group};
    }
    return std::nullopt;
}

} // namespace cpslock::policy
