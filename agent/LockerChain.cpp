#include "agent/LockerChain.h"

namespace cpslock::agent {

void LockerChain::add(std::unique_ptr<Locker> locker) {
    m_all.push_back(std::move(locker));
}

const std::vector<LockerChain::Candidate>& LockerChain::probeAll() {
    m_candidates.clear();
    m_usable.clear();
    for (auto& locker : m_all) {
        LockerProbe probe = locker->probe();
        if (probe.usable)
            m_usable.push_back(locker.get());
        m_candidates.push_back({locker->name(), std::move(probe)});
    }
    return m_candidates;
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

Locker* LockerChain::stateLocker() const {
    for (Locker* l : m_usable) {
        if (l->lockedState())
            return l;
    }
    return nullptr;
}

std::optional<bool> LockerChain::lockedState() const {
    const Locker* l = stateLocker();
    return l != nullptr ? l->lockedState() : std::nullopt;
}

void LockerChain::watchState(const Locker::StateHandler& handler) {
    for (Locker* l : m_usable)
        l->watchState(handler);
}

} // namespace cpslock::agent
