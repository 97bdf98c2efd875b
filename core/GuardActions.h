// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/AuditEvent.h"
#include "core/CardKind.h"
#include "core/Clock.h"
#include "core/LockReason.h"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cpslock {

enum class SessionState { Unknown, Unlocked, Locked };

constexpr std::string_view toString(SessionState state) {
    switch (state) {
    case SessionState::Unlocked: return "unlocked";
    case SessionState::Locked: return "locked";
    case SessionState::Unknown: break;
    }
    return "unknown";
}

/// The card a session is bound to: the card cpslockd verified for it (SessionAuthority::verifiedCard()),
/// recognised by its PC/SC reader and its serial as the monitor reports them; the certificate
/// fingerprint is what cpslockd checked (the monitor cannot read it) and is carried for the audit and
/// the tray.
struct BoundCard {
    std::string reader;
    std::string serial;     ///< EF.SN.ICC serial (decimal digits)
    std::string certSha256; ///< authentication certificate fingerprint, when PAM verified it; else empty

    bool operator==(const BoundCard&) const = default;
};

/// A card the monitor reported in a reader.
struct PresentCard {
    std::string reader;
    CardKind kind = CardKind::Other;
    std::string serial;

    bool operator==(const PresentCard&) const = default;
};

/// What the tray (and `cpslock status`) shows. Deadlines are on the guard's Clock.
struct GuardStatus {
    SessionState session = SessionState::Unknown;
    bool lockRequested = false;                    ///< lock()/logout() called, the session not yet reported locked
    std::vector<BoundCard> boundCards;             ///< empty: not bound; else the verified card (at most one)
    std::vector<PresentCard> cards;                ///< every card present, sorted by reader
    bool serviceUp = true;                         ///< pcscd reachable
    std::optional<Clock::TimePoint> idleLockAt;    ///< set while the idle warning counts down
    std::optional<Clock::TimePoint> noCardLockAt;  ///< set while waiting for a CPS card (require_card)
    std::optional<Clock::TimePoint> serviceLockAt; ///< set while pcscd is lost and the lock is pending
    std::optional<LockReason> lastLockReason;      ///< the last lock/logout the guard asked for
    /// Set by the host, not the guard: false while no locker works (none usable, or the last lock
    /// attempt failed and is being retried). The tray shows its error state.
    bool lockerWorking = true;

    bool operator==(const GuardStatus&) const = default;
};

/// What the SessionGuard asks the host to do. Called synchronously from the guard's inputs, on the
/// host's event-loop thread. Implementations should queue any call back into the guard; the one
/// tolerated (and tested) exception is onSessionLocked() from inside lock(), for lockers that answer at once.
class GuardActions {
public:
    virtual ~GuardActions() = default;

    /// Lock the screen now (logind Lock / ScreenSaver). Called at most once until the session is
    /// reported locked (onSessionLocked) or unlocked again; retrying a failing locker is the host's job.
    virtual void lock(LockReason reason) = 0;
    /// End the session (removal action "logout"). Same once-only rule as lock().
    virtual void logout(LockReason reason) = 0;
    /// Show or update the idle countdown: the session locks in `remaining` unless the user acts.
    virtual void showIdleWarning(std::chrono::milliseconds remaining) = 0;
    virtual void hideIdleWarning() = 0;
    /// Drop the PKCS#11 login of the token in this reader, so unlocking needs the PIN again.
    virtual void logoutToken(const std::string& reader) = 0;
    /// Tell the user to take their card (cardReminderMessage()).
    virtual void remindCard() = 0;
    virtual void audit(const AuditEvent& event) = 0;
    /// The status changed (called only when it differs from the last one sent).
    virtual void statusChanged(const GuardStatus& status) = 0;
};

} // namespace cpslock
