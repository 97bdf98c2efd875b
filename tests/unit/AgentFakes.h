// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The agent's surroundings for unit tests: a Qt application, a locker the test answers for, an audit
// sink that records.

#include "core/AuditSink.h"
#include "core/Locker.h"

#include <QCoreApplication>

#include <optional>
#include <string>
#include <vector>

namespace cpslock::test {

inline QCoreApplication& app() {
    static int argc = 1;
    static char name[] = "agent_tests";
    static char* argv[] = {name, nullptr};
    static QCoreApplication instance(argc, argv);
    return instance;
}

/// Keeps the Done of each call so the test decides when (and how) the desktop answers.
class FakeLocker final : public Locker {
public:
    std::string name() const override { return "fake"; }
    LockerProbe probe() override { return {usable, usable ? "fake session" : "absent"}; }
    void lock(Done done) override {
        ++locks;
        pending.push_back(std::move(done));
    }
    void logout(Done done) override {
        ++logouts;
        done(logoutWorks, logoutWorks ? "" : "cannot log out");
    }
    std::optional<bool> lockedState() const override { return state; }
    void watchState(StateHandler handler) override { watcher = std::move(handler); }
    void watchAvailability(AvailabilityHandler handler) override { availability = std::move(handler); }

    /// The desktop answers the oldest lock call; on success it then reports the session locked.
    void answer(bool ok) {
        auto done = std::move(pending.front());
        pending.erase(pending.begin());
        done(ok, ok ? "" : "desktop refused");
        if (ok && watcher) {
            state = true;
            watcher(true);
        }
    }
    void unlock() {
        state = false;
        watcher(false);
    }
    /// The desktop locked the session by itself (Super+L).
    void lockedByDesktop() {
        state = true;
        watcher(true);
    }

    bool usable = true;
    bool logoutWorks = true;
    int locks = 0;
    int logouts = 0;
    std::optional<bool> state = false;
    StateHandler watcher;
    AvailabilityHandler availability;
    std::vector<Done> pending;
};

class RecordingSink final : public AuditSink {
public:
    void write(const AuditRecord& record) override { records.push_back(record); }
    std::vector<std::string> kinds() const {
        std::vector<std::string> out;
        for (const auto& r : records)
            out.push_back(r.kind);
        return out;
    }
    const AuditRecord* last(const std::string& kind) const {
        for (auto it = records.rbegin(); it != records.rend(); ++it) {
            if (it->kind == kind)
                return &*it;
        }
        return nullptr;
    }
    std::vector<AuditRecord> records;
};

} // namespace cpslock::test
