// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Locker.h"

#include <QObject>

#include <string>
#include <vector>

namespace cpslock::platform {

/// Locks by running the admin's command from the policy (`[locker] command = ["/usr/bin/xsecurelock"]`):
/// argv executed directly, never through a shell. It succeeds when the program starts. The session
/// counts as locked while the program runs: use a locker that stays in the foreground until unlocked
/// (xsecurelock, `i3lock -n`, `swaylock`). It cannot log out.
class CommandLocker final : public Locker {
public:
    explicit CommandLocker(std::vector<std::string> argv);
    ~CommandLocker() override;

    std::string name() const override { return "command"; }
    LockerProbe probe() override;
    void lock(Done done) override;
    void logout(Done done) override { done(false, "a lock command cannot log out"); }
    std::optional<bool> lockedState() const override { return m_probed ? std::optional{m_running} : std::nullopt; }
    void watchState(StateHandler handler) override { m_stateHandler = std::move(handler); }
    /// Running means locked; not running says nothing where logind or a ScreenSaver knows better.
    StateRole stateRole() const override { return StateRole::WhileRunning; }

private:
    void setRunning(bool running);

    std::vector<std::string> m_argv;
    bool m_probed = false;
    bool m_running = false;
    StateHandler m_stateHandler;
    QObject m_owner; ///< parent of the running processes: they are reaped; they outlive the agent (still locked)
};

} // namespace cpslock::platform
