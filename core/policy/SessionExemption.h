// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/policy/Policy.h"

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace cpslock::policy {

/// Why a session is exempt: its account is in `session.exempt_users`, or one of the account's groups
/// is in `session.exempt_groups`.
///
/// What "exempt" covers (docs/policy.md): the agent never locks or logs out that session by itself —
/// not on card removal, idle, a session without a verified card (require_card), nor pcscd lost. It
/// still runs, audits the card traffic, offers "lock now", and cpslockd still verifies a card at the
/// screen locker (PAM is not touched: an exempt user unlocks with a card and PIN like anyone).
struct SessionExemption {
    enum class By { User, Group };
    By by = By::User;
    std::string name; ///< the user name, or the group that matched

    bool operator==(const SessionExemption&) const = default;
};

std::string_view toString(SessionExemption::By by);

/// The exemption of `user`, whose groups (names, primary group included) the caller read from the
/// system. A user name only matches exempt_users and a group name only exempt_groups: a user called
/// like an exempt group is not exempt unless it is a member. Users first, then groups in policy order.
std::optional<SessionExemption> sessionExemption(const Policy::Session& session, std::string_view user,
                                                 std::span<const std::string> groups);

} // namespace cpslock::policy
