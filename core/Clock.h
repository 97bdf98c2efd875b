// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include <chrono>

namespace cpslock {

/// Monotonic time source. Injected so that timer logic is tested with a fake clock, without sleeps.
class Clock {
public:
    using TimePoint = std::chrono::steady_clock::time_point;

    virtual ~Clock() = default;
    virtual TimePoint now() const = 0;
};

/// The real clock. On Linux steady_clock is CLOCK_MONOTONIC, the clock of ReaderEvent::monoNs.
class SteadyClock final : public Clock {
public:
    TimePoint now() const override { return std::chrono::steady_clock::now(); }
};

} // namespace cpslock
