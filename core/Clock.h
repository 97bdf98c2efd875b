// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include <chrono>
#include <cstdint>

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

/// steady_clock (CLOCK_MONOTONIC on Linux) in nanoseconds: the clock of ReaderEvent::monoNs, so
/// latencies can be measured across processes on the same host.
inline std::int64_t monotonicNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

} // namespace cpslock
