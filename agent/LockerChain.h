#pragma once

#include "core/Locker.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cpslock::agent {

/// The lockers in the order the agent tries them (logind, ScreenSaver, the policy's command). Only the
/// usable ones (probe() at start) are asked; a lock that fails on one goes on to the next.
class LockerChain {
public:
    struct Candidate {
        std::string name;
        LockerProbe probe;
    };
    /// `ok`: some locker accepted; `locker`: which one (or the last tried) and `index` its place among the
    /// usable ones; `detail`: every failure seen.
    using Done = std::function<void(bool ok, const std::string& locker, std::size_t index, const std::string& detail)>;

    void add(std::unique_ptr<Locker> locker);
    /// Probes every locker added; returns what each said. Call once, before anything else.
    const std::vector<Candidate>& probeAll();

    bool anyUsable() const { return !m_usable.empty(); }
    const std::vector<Candidate>& candidates() const { return m_candidates; }
    /// Names of the usable lockers, in order, joined by ", ".
    std::string usableNames() const;

    /// Tries the usable lockers from the `first`-th on (a locker whose lock was accepted but never
    /// happened is skipped on the next attempt).
    void lock(Done done, std::size_t first = 0);
    void logout(Done done);
    std::size_t usableCount() const { return m_usable.size(); }

    /// The session's lock state from the first usable locker that knows it.
    std::optional<bool> lockedState() const;
    /// Watches every usable locker that can see the state: a lock done by the second locker (after the
    /// first accepted and did nothing) must be seen too.
    void watchState(const Locker::StateHandler& handler);

private:
    void attempt(bool logout, std::size_t index, std::shared_ptr<std::string> errors, Done done);
    Locker* stateLocker() const;

    std::vector<std::unique_ptr<Locker>> m_all;
    std::vector<Locker*> m_usable;
    std::vector<Candidate> m_candidates;
};

} // namespace cpslock::agent
