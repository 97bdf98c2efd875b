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
    /// `ok`: some locker accepted; `locker`: which one (or the last tried); `detail`: every failure seen.
    using Done = std::function<void(bool ok, const std::string& locker, const std::string& detail)>;

    void add(std::unique_ptr<Locker> locker);
    /// Probes every locker added; returns what each said. Call once, before anything else.
    const std::vector<Candidate>& probeAll();

    bool anyUsable() const { return !m_usable.empty(); }
    const std::vector<Candidate>& candidates() const { return m_candidates; }
    /// Names of the usable lockers, in order, joined by ", ".
    std::string usableNames() const;

    void lock(Done done);
    void logout(Done done);

    /// The session's lock state from the first usable locker that knows it.
    std::optional<bool> lockedState() const;
    /// Watches that same locker.
    void watchState(Locker::StateHandler handler);

private:
    void attempt(bool logout, std::size_t index, std::shared_ptr<std::string> errors, Done done);
    Locker* stateLocker() const;

    std::vector<std::unique_ptr<Locker>> m_all;
    std::vector<Locker*> m_usable;
    std::vector<Candidate> m_candidates;
};

} // namespace cpslock::agent
