// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Result.h"

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace cpslock {

/// How long the session has been without user input (the desktop's idea: keyboard, mouse, touch), not
/// the agent's own events. Sampled only when SessionGuard::idleSampleDue() says so: a source is never
/// polled on a fixed period.
class IdleSource {
public:
    /// A source that learns about input as it happens (logind IdleHint) calls this.
    using ActivityHandler = std::function<void()>;

    virtual ~IdleSource() = default;

    /// Stable name for logs ("x11", "mutter", "logind").
    virtual std::string name() const = 0;
    /// Finds out whether the session offers this source; may block briefly (start-up only).
    /// @retval ok usable, else why not
    virtual Result<void> probe() = 0;
    /// Time since the last user input, or nullopt when the source could not answer this time.
    virtual std::optional<std::chrono::milliseconds> idleTime() = 0;
    /// Optional push of "the user is active again" (sources with change signals).
    virtual void watchActivity(ActivityHandler handler) { (void)handler; }
};

} // namespace cpslock
