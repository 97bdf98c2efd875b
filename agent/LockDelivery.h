// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "agent/AgentAudit.h"
#include "agent/LockerChain.h"
#include "core/LockReason.h"

#include <QObject>
#include <QTimer>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace cpslock::agent {

/// Carries a lock (or logout) the guard decided to the lockers and sees it done: a locker that
/// accepted must show the session locked within kConfirmTimeout, or the next one is tried; when every
/// locker failed it asks them all again every second, loudly (audited lock-failed), until the session
/// reports locked. A failed logout locks instead. Lives on the thread of the event loop, like the core.
///
/// The lock call leaves straight from deliver(), on the caller's stack: no queued call, no allocation
/// beyond the lockers' own, between the reader event and the D-Bus call.
class LockDelivery final : public QObject {
public:
    /// What the owner (AgentCore) does with the outcome.
    class Owner {
    public:
        virtual void lockFailingChanged() = 0; ///< failing() changed: the status shows it
        virtual bool quitPending() const = 0;  ///< shutdown() waits for the lock
        virtual void quitNow() = 0;            ///< nothing more to wait for: leave
    protected:
        ~Owner() = default;
    };

    /// How long a locker that accepted the lock has to show the session locked (logind's Lock() succeeds
    /// even when no screen locker listens to it).
    static constexpr std::chrono::seconds kConfirmTimeout{5};

    /// `lockers`, `audit` and `owner` must outlive it.
    LockDelivery(LockerChain& lockers, AgentAudit& audit, Owner& owner, QObject* parent = nullptr);

    /// Sends the lock (`logout`: the logout) for `reason` now, from the first locker.
    void deliver(LockReason reason, bool logout);
    /// The monitor's wake-up time of the reader event being handled (0: none), for the latency.
    void setEventNs(std::int64_t ns) { m_eventNs = ns; }
    /// When the last lock call was handed to the bus (CLOCK_MONOTONIC).
    std::int64_t sentNs() const { return m_sentNs; }
    /// A locker became usable: a lock waiting for the next retry goes out now.
    void lockerAvailable();
    /// The session reported locked: logs what locked it (before the guard hears of it).
    void logLocked() const;
    /// The session reported locked or unlocked: the lock in flight, if any, is over.
    void settled(bool locked);
    /// A locker accepted the lock but the session did not report locked in time.
    void handleUnconfirmed();
    /// Stops the timers; later outcomes only log. Idempotent.
    void stop();

    /// The last lock attempt failed (retrying).
    bool failing() const { return m_failing; }
    bool retryPending() const { return m_retry.isActive(); }
    bool confirmPending() const { return m_confirm.isActive(); }

private:
    void send();
    void done(bool ok, const std::string& locker, std::size_t index, const std::string& detail, bool wasLogout);
    void accepted(const std::string& locker, std::size_t index, const std::string& detail, bool wasLogout);
    void failed(const std::string& detail);
    void setFailing(bool failing);

    LockerChain& m_lockers;
    AgentAudit& m_audit;
    Owner& m_owner;
    QTimer m_retry;   ///< re-asks the lockers after every one of them failed
    QTimer m_confirm; ///< a locker accepted: the session must report locked before it fires
    std::size_t m_firstLocker = 0;
    std::string m_acceptedBy;
    bool m_failing = false;
    bool m_stopped = false;

    // The lock in flight, for the latency in the audit record and the log line.
    std::optional<LockReason> m_pendingReason;
    bool m_pendingLogout = false;
    std::int64_t m_eventNs = 0; ///< monitor wake-up of the event that caused it (0: timer)
    std::int64_t m_sentNs = 0;  ///< when the D-Bus call was handed to the bus
    std::optional<std::chrono::nanoseconds> m_latency;
};

} // namespace cpslock::agent
