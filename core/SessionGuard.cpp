// SPDX-License-Identifier: EUPL-1.2
#include "core/SessionGuard.h"

#include <algorithm>
#include <utility>

namespace cpslock {
namespace {
using std::chrono::milliseconds;

milliseconds nonNegative(milliseconds d) {
    return d < milliseconds{0} ? milliseconds{0} : d;
}

GuardSettings sanitized(GuardSettings s) {
    s.idleTimeout = nonNegative(s.idleTimeout);
    s.idleWarning = std::min(nonNegative(s.idleWarning), s.idleTimeout);
    s.requireCardGrace = nonNegative(s.requireCardGrace);
    s.serviceLossGrace = nonNegative(s.serviceLossGrace);
    return s;
}

void keepEarliest(std::optional<Clock::TimePoint>& best, const std::optional<Clock::TimePoint>& candidate) {
    if (candidate && (!best || *candidate < *best))
        best = candidate;
}
} // namespace

SessionGuard::SessionGuard(const Clock& clock, GuardActions& actions, const GuardSettings& settings)
    : m_clock(clock), m_actions(actions), m_settings(sanitized(settings)) {
    m_status.session = m_session;
    m_status.serviceUp = m_serviceUp;
}

// ---- inputs ----------------------------------------------------------------------------------------

void SessionGuard::onReaderEvent(const ReaderEvent& event) {
    // Deadlines that passed before this event (a late timer) are decided first: a card arriving after
    // the grace must not undo a lock that was already due.
    evaluate();
    switch (event.type) {
    case ReaderEventType::CardInserted: handleCardInserted(event); break;
    case ReaderEventType::CardRemoved: handleCardRemoved(event); break;
    case ReaderEventType::ReaderAdded: m_readers.readerAdded(event.reader); break;
    case ReaderEventType::ReaderRemoved: handleReaderRemoved(event); break;
    case ReaderEventType::ServiceLost: handleServiceLost(event); break;
    case ReaderEventType::ServiceRestored: handleServiceRestored(event); break;
    }
    evaluate();
    publishStatus();
}

void SessionGuard::onSessionLocked() {
    const bool wasLocked = m_session == SessionState::Locked;
    m_session = SessionState::Locked;
    m_actionPending = false;
    m_binding.reset();
    m_blindSince.reset();
    cancelIdleWarning(false);
    if (!wasLocked)
        auditEvent(AuditKind::SessionLocked);
    evaluate();
    publishStatus();
}

void SessionGuard::onSessionUnlocked(const std::optional<BoundCard>& verified) {
    if (m_session == SessionState::Unlocked) {
        publishStatus();
        return;
    }
    const auto now = m_clock.now();
    m_session = SessionState::Unlocked;
    m_actionPending = false;
    m_binding.reset();
    m_noCardSince = now;
    m_blindSince = m_serviceUp ? std::nullopt : std::optional{now};
    // The agent may start inside a session idle for long: ask for a sample at once.
    m_idleAtSample = milliseconds{0};
    m_idleSampleAt = now;
    m_idleCheckAt = now;
    m_idleLockAt.reset();

    std::optional<BoundCard> card = verified;
    if (card)
        card->reader = ReaderTable::trimmedName(card->reader);
    // A verification that does not say where and which card cannot be checked against the readers:
    // it counts as none (fail closed), and the audit says why.
    const bool complete = card && !card->reader.empty() && !card->serial.empty();
    auditEvent(AuditKind::SessionUnlocked, std::nullopt, {},
               complete ? "verified"
               : card   ? "verified card incomplete: ignored"
                        : "");
    if (complete)
        bindVerified(*card);
    evaluate();
    publishStatus();
}

void SessionGuard::onVerifiedCard(const BoundCard& verified) {
    evaluate();
    BoundCard card = verified;
    card.reader = ReaderTable::trimmedName(card.reader);
    if (decisionsActive() && !m_binding && !card.reader.empty() && !card.serial.empty()) {
        const bool waiting = noCardDeadline().has_value();
        bindVerified(card);
        if (waiting && anyBindingSeen() && !m_actionPending)
            auditEvent(AuditKind::LockAverted, LockReason::NoCard, CardRef{card.reader, card.serial, std::nullopt, 0});
    }
    evaluate();
    publishStatus();
}

void SessionGuard::onIdleTime(milliseconds idle) {
    evaluate();
    if (idleActive())
        evaluateIdleFromSample(idle);
    evaluate();
    publishStatus();
}

void SessionGuard::onUserActivity() {
    onIdleTime(milliseconds{0});
}

void SessionGuard::onTimer() {
    // The host had its chance to give a sample (idleSampleDue); without one, ask again a little later
    // rather than spin on a deadline in the past.
    if (idleActive() && m_clock.now() >= m_idleCheckAt)
        m_idleCheckAt = m_clock.now() + kWarningRecheck;
    evaluate();
    publishStatus();
}

void SessionGuard::requestLock(LockReason reason) {
    if (m_session != SessionState::Locked && !m_actionPending)
        requestLockFor(reason);
    publishStatus();
}

void SessionGuard::updateSettings(const GuardSettings& settings) {
    evaluate();
    const GuardSettings next = sanitized(settings);
    if (next == m_settings) {
        publishStatus();
        return;
    }
    const GuardSettings old = std::exchange(m_settings, next);
    const auto now = m_clock.now();
    // A countdown the old policy did not run starts now, not back when its condition began.
    if (next.requireCard && !old.requireCard)
        m_noCardSince = now;
    if (next.serviceLossAction == ServiceLossAction::Lock && old.serviceLossAction != ServiceLossAction::Lock &&
        m_blindSince)
        m_blindSince = now;
    if ((next.idleTimeout != old.idleTimeout || next.idleWarning != old.idleWarning) && idleActive())
        m_idleCheckAt = now; // fresh sample decides against the new values
    auditEvent(AuditKind::SettingsChanged);
    evaluate();
    publishStatus();
}

// ---- queries ---------------------------------------------------------------------------------------

std::optional<Clock::TimePoint> SessionGuard::nextDeadline() const {
    std::optional<Clock::TimePoint> next;
    keepEarliest(next, serviceDeadline());
    keepEarliest(next, noCardDeadline());
    keepEarliest(next, settleDeadline());
    if (idleActive())
        keepEarliest(next, m_idleCheckAt);
    return next;
}

bool SessionGuard::idleSampleDue() const {
    return idleActive() && m_clock.now() >= m_idleCheckAt;
}

// ---- reader events ---------------------------------------------------------------------------------

void SessionGuard::handleCardInserted(const ReaderEvent& event) {
    m_readers.cardInserted(event);
    if (!decisionsActive())
        return;

    const bool waitingForCard = noCardDeadline().has_value();
    if (m_binding && m_binding->card.reader == event.reader) {
        if (isContactCps(event.kind) && event.serial == m_binding->card.serial) {
            // The verified card shows up (first report after the unlock), or the same card is back
            // (removal action none, or after a pcscd restart).
            const bool first = !m_binding->seen;
            m_binding->seen = m_binding->present = true;
            m_binding->awaitingRestore = false;
            if (first)
                auditEvent(AuditKind::CardBound, std::nullopt,
                           CardRef{event.reader, event.serial, event.kind, event.monoNs}, "verified");
            if (waitingForCard && !noCardDeadline())
                auditEvent(AuditKind::LockAverted, LockReason::NoCard,
                           CardRef{event.reader, event.serial, event.kind, event.monoNs});
        } else {
            // Whatever else is in the verified card's reader means that card is not there.
            requestLockFor(LockReason::CardSwapped, CardRef{event.reader, event.serial, event.kind, event.monoNs});
        }
        return;
    }
    // A CPS-looking card nobody verified for this session binds nothing and averts nothing: its ATR and
    // EF.SN.ICC are whatever the card chooses to answer.
    if (isContactCps(event.kind) && waitingForCard) {
        auditEvent(AuditKind::CardNotVerified, LockReason::NoCard,
                   CardRef{event.reader, event.serial, event.kind, event.monoNs});
    }
}

void SessionGuard::handleCardRemoved(const ReaderEvent& event) {
    m_readers.cardRemoved(event.reader);
    if (!decisionsActive())
        return;
    Binding* b = sessionBindingInReader(event.reader);
    if (b == nullptr || !b->present)
        return;
    b->present = false;
    b->awaitingRestore = false;
    const std::string serial = event.serial.empty() ? b->card.serial : event.serial;
    applyRemovalAction(CardRef{event.reader, serial, event.kind, event.monoNs});
}

void SessionGuard::handleReaderRemoved(const ReaderEvent& event) {
    m_readers.readerRemoved(event.reader);
    if (!decisionsActive())
        return;
    // Locks even when the card had left earlier under removal action "none", or was not reported yet:
    // the reader is part of the binding.
    if (m_binding && m_binding->card.reader == event.reader)
        requestLockFor(LockReason::ReaderRemoved,
                       CardRef{event.reader, m_binding->card.serial, std::nullopt, event.monoNs});
}

void SessionGuard::handleServiceLost(const ReaderEvent& event) {
    m_readers.serviceLost();
    const bool wasUp = std::exchange(m_serviceUp, false);
    m_restoredAt.reset();
    if (m_binding && m_binding->present) {
        m_binding->present = false;
        m_binding->awaitingRestore = true;
    }
    if (m_session == SessionState::Unlocked && !m_blindSince)
        m_blindSince = m_clock.now();
    if (wasUp)
        auditEvent(AuditKind::ServiceLost, std::nullopt, CardRef{{}, {}, std::nullopt, event.monoNs}, event.detail);
}

void SessionGuard::handleServiceRestored(const ReaderEvent& event) {
    if (m_serviceUp)
        return;
    m_serviceUp = true;
    m_restoredAt = m_clock.now();
    auditEvent(AuditKind::ServiceRestored, std::nullopt, CardRef{{}, {}, std::nullopt, event.monoNs}, event.detail);
}

// ---- decisions -------------------------------------------------------------------------------------

bool SessionGuard::decisionsActive() const {
    return m_session == SessionState::Unlocked && !m_actionPending;
}

bool SessionGuard::idleActive() const {
    return decisionsActive() && m_settings.idleTimeout > milliseconds{0};
}

SessionGuard::Binding* SessionGuard::sessionBindingInReader(const std::string& reader) {
    return m_binding && m_binding->seen && m_binding->card.reader == reader ? &*m_binding : nullptr;
}

bool SessionGuard::anyAwaitingRestore() const {
    return m_binding && m_binding->awaitingRestore;
}

bool SessionGuard::anyBindingSeen() const {
    return m_binding && m_binding->seen;
}

void SessionGuard::bindVerified(const BoundCard& card) {
    m_binding = Binding{card};
    if (const PresentCard* found = m_readers.card(card.reader)) {
        const PresentCard& present = *found;
        if (isContactCps(present.kind) && present.serial == card.serial) {
            m_binding->seen = m_binding->present = true;
            auditEvent(AuditKind::CardBound, std::nullopt, CardRef{card.reader, card.serial, present.kind, 0},
                       "verified");
        } else {
            // Another card where the verified one was checked: it left and something else came in.
            m_binding->seen = true;
            requestLockFor(LockReason::CardSwapped, CardRef{card.reader, present.serial, present.kind, 0});
        }
        return;
    }
    if (m_readers.lastSeen(card.reader, card.serial)) {
        // The monitor saw this very card leave its reader: pulled during (or since) the unlock.
        m_binding->seen = true;
        applyRemovalAction(CardRef{card.reader, card.serial, std::nullopt, 0});
    }
    // Otherwise not reported yet (the agent is starting, the monitor lags): noCardDeadline() waits for
    // it for the require_card grace, whatever require_card says.
}

void SessionGuard::applyRemovalAction(const CardRef& card) {
    switch (m_settings.removalAction) {
    case RemovalAction::Lock: requestLockFor(LockReason::CardRemoved, card); break;
    case RemovalAction::Logout: requestAction(LockReason::CardRemoved, card, true); break;
    case RemovalAction::None: auditEvent(AuditKind::RemovalIgnored, LockReason::CardRemoved, card); break;
    }
}

void SessionGuard::requestLockFor(LockReason reason, const CardRef& card) {
    requestAction(reason, card, false);
    // Leaving the card in the reader is what lock-on-removal teaches people: an idle or manual lock with
    // the card inside must at least require the PIN again.
    if (reason == LockReason::Idle || reason == LockReason::UserRequest)
        logOutTokensAndRemind(reason);
}

void SessionGuard::requestAction(LockReason reason, const CardRef& card, bool logout) {
    // State first: a host that reacts synchronously must already see the lock as pending.
    m_actionPending = true;
    m_lastLockReason = reason;
    if (logout)
        m_actions.logout(reason);
    else
        m_actions.lock(reason);
    cancelIdleWarning(false);
    auditEvent(logout ? AuditKind::LogoutRequested : AuditKind::LockRequested, reason, card);
}

void SessionGuard::logOutTokensAndRemind(LockReason reason) {
    bool any = false;
    for (const auto& [reader, card] : m_readers.cards()) {
        if (!isContactCps(card.kind))
            continue;
        m_actions.logoutToken(reader);
        auditEvent(AuditKind::TokenLogout, reason, CardRef{reader, card.serial, card.kind, 0});
        any = true;
    }
    if (any)
        m_actions.remindCard();
}

void SessionGuard::evaluate() {
    refreshServiceBlindness();
    if (m_idleLockAt && !idleActive())
        cancelIdleWarning(false);
    if (!decisionsActive())
        return;
    const auto now = m_clock.now();

    if (const auto at = serviceDeadline(); at && now >= *at) {
        requestLockFor(LockReason::ServiceLost);
        return;
    }
    if (const auto at = noCardDeadline(); at && now >= *at) {
        requestLockFor(LockReason::NoCard);
        return;
    }
    if (const auto at = settleDeadline(); at && now >= *at) {
        // pcscd is back but the session card was not reported again: it left while we were blind —
        // with its reader, if pcscd no longer lists that reader (unplugged during a restart), which
        // locks whatever the removal action, as a reader unplugged before our eyes does.
        if (m_binding && m_binding->awaitingRestore) {
            m_binding->awaitingRestore = false;
            const CardRef card{m_binding->card.reader, m_binding->card.serial, std::nullopt, 0};
            if (!m_readers.listed(m_binding->card.reader))
                requestLockFor(LockReason::ReaderRemoved, card);
            else
                applyRemovalAction(card);
        }
        refreshServiceBlindness();
    }
}

void SessionGuard::evaluateIdleFromSample(milliseconds idle) {
    const auto now = m_clock.now();
    idle = nonNegative(idle);
    m_idleAtSample = idle;
    m_idleSampleAt = now;
    const milliseconds timeout = m_settings.idleTimeout;
    const milliseconds warnStart = timeout - m_settings.idleWarning;

    if (idle >= timeout) {
        requestLockFor(LockReason::Idle);
        return;
    }
    if (idle >= warnStart) {
        const milliseconds remaining = timeout - idle;
        const bool first = !m_idleLockAt;
        m_idleLockAt = now + remaining;
        m_idleCheckAt = std::min(now + milliseconds(kWarningRecheck), *m_idleLockAt);
        m_actions.showIdleWarning(remaining);
        if (first)
            auditEvent(AuditKind::IdleWarning, LockReason::Idle, {}, std::to_string(remaining.count()) + " ms");
        return;
    }
    cancelIdleWarning(true);
    // Idle time grows at most one second per second: no need to look again before it could reach warnStart.
    m_idleCheckAt = now + (warnStart - idle);
}

void SessionGuard::cancelIdleWarning(bool audited) {
    if (!m_idleLockAt)
        return;
    m_idleLockAt.reset();
    m_actions.hideIdleWarning();
    if (audited)
        auditEvent(AuditKind::IdleCancelled, LockReason::Idle);
}

void SessionGuard::refreshServiceBlindness() {
    if (!m_blindSince || !m_serviceUp || anyAwaitingRestore())
        return;
    const bool counting = serviceDeadline().has_value();
    m_blindSince.reset();
    if (counting) {
        auditEvent(AuditKind::LockAverted, LockReason::ServiceLost);
    }
}

std::optional<Clock::TimePoint> SessionGuard::noCardDeadline() const {
    if (!decisionsActive() || anyBindingSeen())
        return std::nullopt;
    // A verified card not reported yet in its reader is waited for whatever require_card says: it was
    // in that reader a moment ago, its absence means it left.
    const bool verifiedPending = m_binding.has_value();
    if (!m_settings.requireCard && !verifiedPending)
        return std::nullopt;
    return m_noCardSince + m_settings.requireCardGrace;
}

std::optional<Clock::TimePoint> SessionGuard::serviceDeadline() const {
    if (!decisionsActive() || !m_blindSince || m_settings.serviceLossAction != ServiceLossAction::Lock)
        return std::nullopt;
    return *m_blindSince + m_settings.serviceLossGrace;
}

std::optional<Clock::TimePoint> SessionGuard::settleDeadline() const {
    if (!decisionsActive() || !m_serviceUp || !m_restoredAt || !anyAwaitingRestore())
        return std::nullopt;
    return *m_restoredAt + kRestoreSettle;
}

// ---- outputs ---------------------------------------------------------------------------------------

void SessionGuard::auditEvent(AuditKind kind, std::optional<LockReason> reason, const CardRef& card,
                              std::string detail) {
    AuditEvent e;
    e.kind = kind;
    e.reason = reason;
    e.reader = card.reader;
    e.serial = card.serial;
    e.cardKind = card.kind;
    e.eventMonoNs = card.monoNs;
    e.detail = std::move(detail);
    m_actions.audit(e);
}

void SessionGuard::publishStatus() {
    GuardStatus s;
    s.session = m_session;
    s.lockRequested = m_actionPending;
    if (m_binding)
        s.boundCards.push_back(m_binding->card);
    s.cards = m_readers.presentCards();
    s.serviceUp = m_serviceUp;
    s.idleLockAt = m_idleLockAt;
    s.noCardLockAt = noCardDeadline();
    s.serviceLockAt = serviceDeadline();
    s.lastLockReason = m_lastLockReason;
    if (s != m_status) {
        m_status = std::move(s);
        m_actions.statusChanged(m_status);
    }
}

} // namespace cpslock
