// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Locker.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cpslock::agent {

/// The lockers in the order the agent tries them (logind, ScreenSaver, the policy's command). Only the
/// usable ones are asked; a lock that fails on one goes on to the next. Usability is not settled at
/// start: a locker whose service appears, leaves or comes back later (logind restarted, a desktop
/// started after the agent) reports it, and the chain follows.
///
/// Lock state: the first usable Primary locker that knows it (logind LockedHint); without one, the
/// first usable Fallback (ScreenSaver ActiveChanged: a saver that only blanks must not count as locked
/// where logind can tell); in both cases a WhileRunning locker (the admin's command) that runs means
/// locked.
class LockerChain {
public:
    struct Candidate {
        std::string name;
        LockerProbe probe; ///< at start, then as the locker last reported it
    };
    /// `ok`: some locker accepted; `locker`: which one (or the last tried) and `index` its place among the
    /// usable ones; `detail`: every failure seen.
    using Done = std::function<void(bool ok, const std::string& locker, std::size_t index, const std::string& detail)>;
    /// The usable set changed (`name` became usable or not; `detail` from the locker).
    using ChangeHandler = std::function<void(const std::string& name, bool usable, const std::string& detail)>;

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

    /// The session's lock state (see the class comment); empty when no usable locker can tell.
    std::optional<bool> lockedState() const;
    /// Reports every change of lockedState() to a known value, whichever locker saw it; also a change
    /// caused by a locker coming or going (logind back with LockedHint true).
    void watchState(const Locker::StateHandler& handler);
    /// Reports every change of the usable set.
    void watchChanges(ChangeHandler handler) { m_changed = std::move(handler); }

private:
    void attempt(bool logout, std::size_t index, std::shared_ptr<std::string> errors, Done done);
    void rebuildUsable();
    void onLockerState(std::size_t index, bool locked);
    void onAvailability(std::size_t index, bool usable, const std::string& detail);
    void reportState(std::optional<bool> state);

    std::vector<std::unique_ptr<Locker>> m_all;
    std::vector<bool> m_isUsable; ///< by index in m_all
    std::vector<Locker*> m_usable;
    std::vector<Candidate> m_candidates;
    Locker::StateHandler m_stateHandler;
    std::optional<bool> m_reported; ///< the last state sent to m_stateHandler
    ChangeHandler m_changed;
};

} // namespace cpslock::agent
