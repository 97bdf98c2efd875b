// SPDX-License-Identifier: EUPL-1.2
#include "agent/LockDelivery.h"

#include "core/Clock.h"

#include <QPointer>

#include <spdlog/spdlog.h>

namespace cpslock::agent {

LockDelivery::LockDelivery(LockerChain& lockers, AgentAudit& audit, Owner& owner, QObject* parent)
    : QObject(parent), m_lockers(lockers), m_audit(audit), m_owner(owner) {
    m_retry.setSingleShot(true);
    m_retry.setInterval(1000);
    connect(&m_retry, &QTimer::timeout, this, [this] { send(); });
    m_confirm.setSingleShot(true);
    m_confirm.setInterval(std::chrono::duration_cast<std::chrono::milliseconds>(kConfirmTimeout));
    connect(&m_confirm, &QTimer::timeout, this, [this] { handleUnconfirmed(); });
}

void LockDelivery::deliver(LockReason reason, bool logout) {
    m_firstLocker = 0;
    m_pendingReason = reason;
    m_pendingLogout = logout;
    m_latency.reset();
    send();
}

void LockDelivery::send() {
    if (!m_pendingReason)
        return;
    const bool wasLogout = m_pendingLogout;
    QPointer<LockDelivery> self(this);
    auto onDone = [self, wasLogout](bool ok, const std::string& locker, std::size_t index, const std::string& detail) {
        if (self)
            self->done(ok, locker, index, detail, wasLogout);
    };
    if (wasLogout)
        m_lockers.logout(onDone);
    else
        m_lockers.lock(onDone, m_firstLocker);
    m_sentNs = monotonicNs();
    if (m_eventNs > 0 && m_sentNs >= m_eventNs)
        m_latency = std::chrono::nanoseconds(m_sentNs - m_eventNs);
}

void LockDelivery::done(bool ok, const std::string& locker, std::size_t index, const std::string& detail,
                        bool wasLogout) {
    if (ok) {
        accepted(locker, index, detail, wasLogout);
        return;
    }
    if (wasLogout) {
        // Fail closed: a session that cannot be ended is at least locked.
        m_audit.write({"lock-failed",
                       AuditRecord::Severity::Error,
                       "Fermeture de session impossible, verrouillage à la place / logout failed, locking instead",
                       {{"detail", detail}}});
        m_pendingLogout = false;
        send();
        return;
    }
    spdlog::error("LOCK FAILED: {} (retrying every second)", detail);
    failed(detail);
    m_firstLocker = 0; // the retry asks every locker again
    if (m_owner.quitPending() && !m_lockers.anyUsable()) {
        // Stopping with no locker at all: nothing to wait for (the failure is audited above).
        m_owner.quitNow();
        return;
    }
    if (m_pendingReason && !m_stopped)
        m_retry.start();
}

void LockDelivery::accepted(const std::string& locker, std::size_t index, const std::string& detail, bool wasLogout) {
    if (!detail.empty())
        spdlog::warn("locked through {} after failures: {}", locker, detail);
    // Accepted is not done: only the session's own state says it is locked. Without any state
    // source there is nothing to wait for.
    if (m_pendingReason && m_lockers.lockedState().has_value() && !wasLogout) {
        m_acceptedBy = locker;
        m_firstLocker = index + 1;
        m_confirm.start();
    } else if (m_owner.quitPending()) {
        m_owner.quitNow();
    }
}

void LockDelivery::handleUnconfirmed() {
    if (!m_pendingReason || m_stopped)
        return;
    const std::string detail = m_acceptedBy + " accepted the lock but the session did not lock within " +
                               std::to_string(kConfirmTimeout.count()) + " s";
    spdlog::error("LOCK FAILED: {}", detail);
    failed(detail);
    if (m_firstLocker < m_lockers.usableCount()) {
        send(); // the next locker in the chain
    } else {
        m_firstLocker = 0; // every locker tried: start over, loudly, every second
        m_retry.start();
    }
}

void LockDelivery::failed(const std::string& detail) {
    setFailing(true);
    m_audit.write(lockFailedRecord(detail));
}

void LockDelivery::lockerAvailable() {
    if (m_pendingReason && m_retry.isActive()) {
        m_retry.stop();
        m_firstLocker = 0;
        send();
    }
}

void LockDelivery::logLocked() const {
    if (m_pendingReason && m_latency)
        spdlog::info("locked: {} ({} ms after pcscd reported it)", reasonPhrase(*m_pendingReason),
                     formatMs(*m_latency));
    else if (m_pendingReason)
        spdlog::info("locked: {}", reasonPhrase(*m_pendingReason));
    else
        spdlog::info("locked (by the desktop or the user)");
}

void LockDelivery::settled(bool locked) {
    if (locked)
        setFailing(false);
    m_pendingReason.reset();
    m_latency.reset();
    m_retry.stop();
    m_confirm.stop();
    m_firstLocker = 0;
}

void LockDelivery::stop() {
    m_stopped = true;
    m_retry.stop();
    m_confirm.stop();
}

void LockDelivery::setFailing(bool failing) {
    if (m_failing == failing)
        return;
    m_failing = failing;
    m_owner.lockFailingChanged();
}

} // namespace cpslock::agent
