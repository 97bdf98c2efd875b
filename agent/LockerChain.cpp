// SPDX-License-Identifier: EUPL-1.2
#include "agent/LockerChain.h"

namespace cpslock::agent {

void LockerChain::add(std::unique_ptr<Locker> locker) {
    m_all.push_back(std::move(locker));
}

const std::vector<LockerChain::Candidate>& LockerChain::probeAll() {
    m_candidates.clear();
    m_isUsable.assign(m_all.size(), false);
    for (std::size_t i = 0; i < m_all.size(); ++i) {
        LockerProbe probe = m_all[i]->probe();
        m_isUsable[i] = probe.usable;
        m_candidates.push_back({m_all[i]->name(), std::move(probe)});
        // Every locker, usable or not: one absent now may come later.
        m_all[i]->watchAvailability(
            [this, i](bool usable, const std::string& detail) { onAvailability(i, usable, detail); });
    }
    rebuildUsable();
    return m_candidates;
}

void LockerChain::rebuildUsable() {
    m_usable.clear();
    for (std::size_t i = 0; i < m_all.size(); ++i) {
        if (m_isUsable[i])
            m_usable.push_back(m_all[i].get());
    }
}

void LockerChain::onAvailability(std::size_t index, bool usable, const std::string& detail) {
    if (index >= m_all.size())
        return;
    const bool changed = m_isUsable[index] != usable;
    m_isUsable[index] = usable;
    m_candidates[index].probe = LockerProbe{usable, detail};
    rebuildUsable();
    if (changed && m_changed)
        m_changed(m_all[index]->name(), usable, detail);
    // The state source may have changed with it (logind back: its LockedHint is the truth again).
    if (const auto state = lockedState())
        reportState(state);
}

std::string LockerChain::usableNames() const {
    std::string names;
    for (const Locker* l : m_usable)
        names += (names.empty() ? "" : ", ") + l->name();
    return names;
}

void LockerChain::lock(Done done, std::size_t first) {
    attempt(false, first, std::make_shared<std::string>(), std::move(done));
}

void LockerChain::logout(Done done) {
    attempt(true, 0, std::make_shared<std::string>(), std::move(done));
}

void LockerChain::attempt(bool logout, std::size_t index, std::shared_ptr<std::string> errors, Done done) {
    if (index >= m_usable.size()) {
        done(false, m_usable.empty() ? "none" : m_usable.back()->name(), index,
             errors->empty() ? "no usable locker" : *errors);
        return;
    }
    Locker* locker = m_usable[index];
    auto next = [this, logout, index, errors, done, name = locker->name()](bool ok, const std::string& detail) {
        if (ok) {
            done(true, name, index, *errors);
            return;
        }
        *errors += (errors->empty() ? "" : "; ") + detail;
        attempt(logout, index + 1, errors, done);
    };
    if (logout)
        locker->logout(std::move(next));
    else
        locker->lock(std::move(next));
}

std::optional<bool> LockerChain::lockedState() const {
    std::optional<bool> primary;
    std::optional<bool> fallback;
    bool running = false;
    for (const Locker* l : m_usable) {
        const auto state = l->lockedState();
        if (!state)
            continue;
        switch (l->stateRole()) {
        case Locker::StateRole::Primary:
            if (!primary)
                primary = state;
            break;
        case Locker::StateRole::Fallback:
            if (!fallback)
                fallback = state;
            break;
        case Locker::StateRole::WhileRunning: running = running || *state; break;
        }
    }
    if (running)
        return true;
    return primary ? primary : fallback;
}

void LockerChain::watchState(const Locker::StateHandler& handler) {
    m_stateHandler = handler;
    m_reported = lockedState();
    for (std::size_t i = 0; i < m_all.size(); ++i)
        m_all[i]->watchState([this, i](bool locked) { onLockerState(i, locked); });
}

void LockerChain::onLockerState(std::size_t index, bool locked) {
    if (index >= m_all.size() || !m_isUsable[index])
        return;
    const auto state = lockedState();
    if (state) {
        reportState(state);
    } else if (!locked && m_all[index]->stateRole() == Locker::StateRole::WhileRunning) {
        // The lock command ended and nothing else knows the state: the user unlocked.
        reportState(false);
    }
}

void LockerChain::reportState(std::optional<bool> state) {
    if (!state || state == m_reported)
        return;
    m_reported = state;
    if (m_stateHandler)
        m_stateHandler(*state);
}

} // namespace cpslock::agent
