// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace cpslock {

/// What to do when the card the session is bound to leaves its reader.
enum class RemovalAction { Lock, Logout, None };

/// What to do when the smart-card service (pcscd) is gone.
enum class ServiceLossAction { Lock, None };

/// The SessionGuard's part of the policy. Defaults are the secure defaults: a policy that says nothing
/// gets these. The policy loader fills this struct; SessionGuard clamps nonsense (negative durations,
/// a warning longer than the timeout) instead of refusing it.
struct GuardSettings {
    RemovalAction removalAction = RemovalAction::Lock;
    std::chrono::milliseconds idleTimeout = std::chrono::minutes(10); ///< zero: no idle lock
    std::chrono::milliseconds idleWarning = std::chrono::seconds(30); ///< warning shown before the idle lock
    bool requireCard = true; ///< an unlocked session without a contact CPS card locks after the grace
    std::chrono::milliseconds requireCardGrace = std::chrono::seconds(10);
    ServiceLossAction serviceLossAction = ServiceLossAction::Lock;
    std::chrono::milliseconds serviceLossGrace = std::chrono::seconds(5);

    bool operator==(const GuardSettings&) const = default;
};

/// Stable names used in the policy file and the audit log ("lock", "logout", "none").
constexpr std::string_view toString(RemovalAction action) {
    switch (action) {
    case RemovalAction::Lock:
        return "lock";
    case RemovalAction::Logout:
        return "logout";
    case RemovalAction::None:
        return "none";
    }
    return "lock";
}

constexpr std::optional<RemovalAction> removalActionFromString(std::string_view name) {
    for (auto a : {RemovalAction::Lock, RemovalAction::Logout, RemovalAction::None}) {
        if (toString(a) == name)
            return a;
    }
    return std::nullopt;
}

constexpr std::string_view toString(ServiceLossAction action) {
    return action == ServiceLossAction::None ? "none" : "lock";
}

constexpr std::optional<ServiceLossAction> serviceLossActionFromString(std::string_view name) {
    for (auto a : {ServiceLossAction::Lock, ServiceLossAction::None}) {
        if (toString(a) == name)
            return a;
    }
    return std::nullopt;
}

} // namespace cpslock
