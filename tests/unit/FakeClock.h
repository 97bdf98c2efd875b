// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Clock.h"

#include <chrono>

namespace cpslock::test {

/// A clock that only moves when told to. Starts far from zero so that "time_point{}" is never a valid reading.
class FakeClock final : public Clock {
public:
    TimePoint now() const override { return m_now; }

    void advance(std::chrono::steady_clock::duration d) { m_now += d; }
    void set(TimePoint t) { m_now = t; }

private:
    TimePoint m_now{std::chrono::hours(1000)};
};

} // namespace cpslock::test
