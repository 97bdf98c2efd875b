// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace cpslock {

/// Whether a locker can work in this session, found once at start (`cpslock-agent --check` prints it).
/// Data rather than a Result: a usable locker also says what it found, and `--check` shows that too.
struct LockerProbe {
    bool usable = false;
    std::string detail; ///< what was found ("session c1 on the system bus") or why not
};

/// One way to lock the session (logind, org.freedesktop.ScreenSaver, an admin command). The agent tries
/// the usable ones in order. Calls are asynchronous: lock() returns at once and reports through `done`
/// on the host's event loop, so nothing on the removal → lock path waits for the desktop.
class Locker {
public:
    /// `ok` false: this locker failed (the next one is tried); `detail` says why, for the audit log.
    using Done = std::function<void(bool ok, const std::string& detail)>;
    /// The session's lock state as this locker sees it (logind LockedHint, ScreenSaver ActiveChanged).
    using StateHandler = std::function<void(bool locked)>;

    virtual ~Locker() = default;

    /// Stable name for logs and the audit ("logind", "screensaver", "command").
    virtual std::string name() const = 0;
    /// Finds out whether this locker can work; may block briefly (start-up only).
    virtual LockerProbe probe() = 0;
    virtual void lock(Done done) = 0;
    /// Ends the session (removal action "logout"); `done(false, ...)` when this locker cannot.
    virtual void logout(Done done) = 0;

    /// How far the agent trusts this locker's view of the lock state.
    enum class StateRole {
        Primary,      ///< the session's own state (logind LockedHint): the truth wherever it is known
        Fallback,     ///< only when no Primary knows the state (ScreenSaver ActiveChanged: a saver may only blank)
        WhileRunning, ///< counts only when it says locked (the admin's lock command, in the foreground until unlocked)
    };
    /// Reports that the locker became usable or unusable after probe() (its bus name appeared, came back
    /// or left); `detail` says what was found, as probe() does.
    using AvailabilityHandler = std::function<void(bool usable, const std::string& detail)>;

    /// The lock state now, when this locker can tell (after a successful probe()).
    virtual std::optional<bool> lockedState() const { return std::nullopt; }
    /// Reports every later change of the lock state, when this locker can see it.
    virtual void watchState(StateHandler handler) { (void)handler; }
    virtual StateRole stateRole() const { return StateRole::Primary; }
    /// Lockers whose service can come and go (D-Bus names) report it here; the others never change.
    virtual void watchAvailability(AvailabilityHandler handler) { (void)handler; }
};

} // namespace cpslock
