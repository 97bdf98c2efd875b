// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "agent/AgentAudit.h"
#include "agent/LockDelivery.h"
#include "agent/LockerChain.h"
#include "core/AuditSink.h"
#include "core/Clock.h"
#include "core/GuardActions.h"
#include "core/IdleSource.h"
#include "core/ReaderEvent.h"
#include "core/SessionAuthority.h"
#include "core/SessionGuard.h"

#include <QObject>
#include <QTimer>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cpslock::pcsc {
class ReaderMonitor;
}

namespace cpslock::agent {

/// The agent's wiring, shared by `cpslock-agent --headless` and the tray: reader monitor → Qt main
/// thread → SessionGuard → lockers (asynchronous D-Bus calls) → audit. One QTimer, armed from
/// guard.nextDeadline(); nothing polls. Lives on the thread of the Qt event loop that runs it.
///
///     LockerChain lockers;  lockers.add(...);  lockers.probeAll();
///     AgentCore core(clock, lockers, idleSource.get(), auditSink, authority, settings);
///     core.start(true);     // reads the session state, starts the monitor thread
///     // SIGTERM: core.shutdown([&] { app.quit(); })  (locks first unless logging out)
///     app.exec();           // ... core.stop() before the lockers go away
///
/// The card authority (cpslockd) is asked which card it verified for this session at start and at
/// every unlock; the guard binds exactly that card. When the session locks, the authority is told
/// (sessionLocked) so that the next, possibly password, unlock does not inherit the verification.
/// Getting the lock done is LockDelivery's job; the records' shapes are AgentAudit's.
class AgentCore final : public QObject, private GuardActions, private LockDelivery::Owner {
public:
    /// `lockers` (probed), `idle` (probed, may be null: no idle lock possible), `audit` and `authority`
    /// must outlive the core. `authority` null: no card authority reachable, which fails closed (no
    /// verified card, ever: require_card locks every unlocked session after its grace).
    AgentCore(const Clock& clock, LockerChain& lockers, IdleSource* idle, AuditSink& audit, SessionAuthority* authority,
              const GuardSettings& settings, QObject* parent = nullptr);
    ~AgentCore() override;
    AgentCore(const AgentCore&) = delete;
    AgentCore& operator=(const AgentCore&) = delete;

    /// Takes the session state from the lockers (unknown counts as unlocked: the agent runs inside the
    /// user's session, and deciding nothing would fail open), then starts the reader monitor when
    /// `withMonitor` (unit tests feed onReaderEvent themselves).
    void start(bool withMonitor);
    /// Stops the monitor (SCardCancel, joins its thread) and the timers. Idempotent.
    void stop();
    /// SIGTERM (systemctl --user stop, a kill): the agent must not leave an unlocked session unguarded.
    /// Calls `quit` at once when the session is ending (logout: see setSessionEndingCheck) or already
    /// locked; otherwise locks first (reason agent-stopped) and calls `quit` once the session reports
    /// locked (or the locker accepted, without a state source), or after kStopLockTimeout. A second
    /// call quits at once.
    void shutdown(std::function<void()> quit);
    /// Tells shutdown() whether the session is ending: returns why (logind State "closing", the session
    /// gone), or nothing. Without it every stop locks first.
    void setSessionEndingCheck(std::function<std::optional<std::string>()> check) {
        m_sessionEnding = std::move(check);
    }

    /// Thread-safe: queues the event to this object's thread (the monitor's handler).
    void postReaderEvent(const ReaderEvent& event);
    /// On this object's thread.
    void onReaderEvent(const ReaderEvent& event);
    /// The lockers saw the session lock or unlock.
    void onSessionLockChanged(bool locked);
    /// New policy values (policy reload).
    void applySettings(const GuardSettings& settings);
    /// The user asked to lock (tray: UserRequest, LostCard): SessionGuard::requestLock, then re-arm.
    void requestLock(LockReason reason);
    /// Writes a record of the host's own (policy applied/refused...).
    void auditRecord(const AuditRecord& record);
    /// The guard timer fired (public for tests with a fake clock).
    void handleTimer();
    /// A locker accepted the lock but the session did not report locked in time (public for tests).
    void handleLockUnconfirmed() { m_delivery.handleUnconfirmed(); }
    bool confirmPending() const { return m_delivery.confirmPending(); }

    static constexpr std::chrono::seconds kLockConfirmTimeout = LockDelivery::kConfirmTimeout;
    /// cpslockd could not be asked at the unlock (restarting, socket activation): asked again every
    /// kAuthorityRetry for kAuthorityRetryWindow; a verified card found then binds, within the grace that
    /// started at the unlock.
    static constexpr std::chrono::seconds kAuthorityRetry{1};
    static constexpr std::chrono::seconds kAuthorityRetryWindow{30};
    /// How long shutdown() waits for the lock before it gives up (systemd's stop timeout is longer).
    static constexpr std::chrono::seconds kStopLockTimeout{12};

    const GuardStatus& status() const { return m_guard.status(); }
    const GuardSettings& settings() const { return m_guard.settings(); }
    /// When the guard timer is due, as armed now.
    std::optional<Clock::TimePoint> timerDeadline() const { return m_armedFor; }
    bool retryPending() const { return m_delivery.retryPending(); }
    bool quitPending() const override { return static_cast<bool>(m_quit); }
    bool authorityRetryPending() const { return m_authorityRetry.isActive(); }
    /// The authority retry timer fired (public for tests).
    void handleAuthorityRetry();
    /// What the tray shows as its error state: no usable locker, or the last lock attempt failed.
    bool lockerWorking() const { return m_lockers.anyUsable() && !m_delivery.failing(); }
    /// The stop timer fired (public for tests).
    void handleStopTimeout();

    void setStatusHandler(std::function<void(const GuardStatus&)> handler) { m_statusHandler = std::move(handler); }
    /// Idle countdown for the UI: remaining time, or nullopt when hidden.
    void setIdleWarningHandler(std::function<void(std::optional<std::chrono::milliseconds>)> handler) {
        m_warningHandler = std::move(handler);
    }

private:
    // GuardActions
    void lock(LockReason reason) override;
    void logout(LockReason reason) override;
    void showIdleWarning(std::chrono::milliseconds remaining) override;
    void hideIdleWarning() override;
    void logoutToken(const std::string& reader) override;
    void remindCard() override;
    void audit(const AuditEvent& event) override;
    void statusChanged(const GuardStatus& status) override;

    // LockDelivery::Owner
    void lockFailingChanged() override { publishStatus(); }
    void quitNow() override;

    void rearm();
    /// The verified card for this session from the authority; audits why there is none when it cannot tell.
    std::optional<BoundCard> askAuthority(const char* when);
    void tellAuthorityLocked();
    void armAuthorityRetry();
    void onLockersChanged(const std::string& name, bool usable, const std::string& detail);
    void publishStatus();
    /// Why shutdown() need not lock first (the session is ending or locked), or nothing.
    std::optional<std::string> noLockNeededToStop();

    const Clock& m_clock;
    LockerChain& m_lockers;
    IdleSource* m_idle;
    AgentAudit m_audit;
    SessionAuthority* m_authority;
    LockDelivery m_delivery;
    SessionGuard m_guard;
    std::unique_ptr<pcsc::ReaderMonitor> m_monitor;

    QTimer m_timer;          ///< the guard's one timer
    QTimer m_stopTimer;      ///< shutdown(): the lock did not happen in time
    QTimer m_authorityRetry; ///< cpslockd could not be asked at the unlock: ask again
    std::optional<Clock::TimePoint> m_authorityRetryUntil;
    bool m_authorityFailed = false; ///< the last question to cpslockd failed (error, not "no card")
    std::optional<Clock::TimePoint> m_armedFor;

    std::uint64_t m_generation = 0;       ///< the newest verification the authority reported
    std::uint64_t m_lockedGeneration = 0; ///< verifications up to this one were consumed by a lock
    std::function<void()> m_quit;         ///< shutdown() waits for the lock
    std::function<std::optional<std::string>()> m_sessionEnding;

    bool m_warningShown = false;
    bool m_stopped = false;

    std::function<void(const GuardStatus&)> m_statusHandler;
    std::function<void(std::optional<std::chrono::milliseconds>)> m_warningHandler;
};

} // namespace cpslock::agent
