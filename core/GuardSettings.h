// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Settings.h"

#include <chrono>

namespace cpslock {

/// The secure defaults of the guard's settings, each written once: GuardSettings and the policy model
/// (core/policy/Policy.h: what a policy that says nothing gets) both start from these.
struct GuardDefaults {
    static constexpr RemovalAction kRemovalAction = RemovalAction::Lock;
    static constexpr std::chrono::seconds kIdleTimeout = std::chrono::minutes(10);
    static constexpr std::chrono::seconds kIdleWarning = std::chrono::seconds(30);
    static constexpr bool kRequireCard = true;
    static constexpr std::chrono::seconds kRequireCardGrace = std::chrono::seconds(10);
    static constexpr ServiceLossAction kServiceLossAction = ServiceLossAction::Lock;
    static constexpr std::chrono::seconds kServiceLossGrace = std::chrono::seconds(5);
};

/// The SessionGuard's part of the policy. Defaults are the secure defaults: a policy that says nothing
/// gets these. The policy loader fills this struct; SessionGuard clamps nonsense (negative durations,
/// a warning longer than the timeout) instead of refusing it.
struct GuardSettings {
    RemovalAction removalAction = GuardDefaults::kRemovalAction;
    std::chrono::milliseconds idleTimeout = GuardDefaults::kIdleTimeout; ///< zero: no idle lock
    std::chrono::milliseconds idleWarning = GuardDefaults::kIdleWarning; ///< warning shown before the idle lock
    /// An unlocked session without a contact CPS card locks after the grace.
    bool requireCard = GuardDefaults::kRequireCard;
    std::chrono::milliseconds requireCardGrace = GuardDefaults::kRequireCardGrace;
    ServiceLossAction serviceLossAction = GuardDefaults::kServiceLossAction;
    std::chrono::milliseconds serviceLossGrace = GuardDefaults::kServiceLossGrace;

    bool operator==(const GuardSettings&) const = default;
};

} // namespace cpslock
