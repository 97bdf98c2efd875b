// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Clock.h"
#include "core/GuardActions.h"
#include "core/GuardSettings.h"
#include "core/LockReason.h"
#include "core/ReaderEvent.h"
#include "core/ReaderTable.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cpslock {

/// The agent's decision core: when to lock, log out, warn. Passive and single-threaded: the host feeds it
/// inputs from its event loop, and arms one timer at nextDeadline() that calls onTimer().
///
/// Binding. The session is bound only to the card the card authority (cpslockd) verified for it, handed
/// to onSessionUnlocked() by the host, which asks cpslockd at start and at every unlock: reader (PC/SC
/// name) + serial + certificate SHA-256. Nothing else ever binds: a CPS-looking card nobody verified (its
/// ATR and EF.SN.ICC are whatever it answers) never binds and never satisfies require_card, however and
/// whenever it is inserted. No verified card (a password unlock, cpslockd unreachable, an answer without
/// reader or serial): the session is unbound. At the unlock, the verified card:
/// - in its reader: bound;
/// - another card in its reader: lock, card-swapped;
/// - its reader empty and the monitor saw that card leave it: the removal action, card-removed (pulled
///   during the unlock);
/// - not reported yet (agent starting, monitor lagging): waited for in its reader for requireCardGrace,
///   whatever require_card says, then lock no-card; any other card reported in that reader first locks
///   (card-swapped).
/// Contactless CPS, Vitale and other cards never bind and never count as present. The binding is dropped
/// when the session locks and made anew from the next unlock's verified card.
///
/// Rules, while the session is unlocked and no lock is pending:
/// - session card removed: the removal action (lock / logout / none) at once, reason card-removed;
/// - any card inserted into a session card's reader other than that card: lock, card-swapped
///   (also with removal action none: the same card back is fine, another one is not);
/// - a session card's reader removed: lock, reader-removed;
/// - other readers' cards: nothing;
/// - require_card: no verified card bound for requireCardGrace after the unlock: lock, no-card (a
///   password-unlocked session, even with a CPS-looking card in a reader, which is audited as
///   card-not-verified). A verified card the monitor does not show within that grace also locks
///   (no-card), even with require_card off;
/// - pcscd lost: lock (service-lost) after serviceLossGrace, unless within the grace the service is
///   back *and* every session card present when it was lost is reported again in the same reader with
///   the same serial. A card pulled and put back while the guard was blind is then accepted: it is the
///   same card, and a PKCS#11 login does not survive the reset anyway. Another card in a session card's
///   reader after the restore locks (card-swapped). A session card not reported within kRestoreSettle
///   after the restore counts as removed (removal action), or, when pcscd no longer lists its reader
///   (unplugged while pcscd was away), locks reader-removed whatever the removal action;
/// - idle: showIdleWarning at idleTimeout - idleWarning, lock at idleTimeout, any input cancels.
///   An idle or user-requested lock with contact CPS cards inside also calls logoutToken(reader) for each
///   and remindCard() once.
///
/// At most one lock()/logout() per unlocked period: once asked, every other cause (a second removal, a
/// timer) is ignored until the session is reported locked or unlocked.
///
/// Idle sampling. Idle is decided only from real samples (onIdleTime, onUserActivity), never from
/// elapsed time alone, since the guard cannot see input. When idleSampleDue() is true the host queries
/// its idle source and calls onIdleTime(). Between samples the guard computes when the idle time could
/// first reach the warning point, so a polled source (X11) is queried about once per
/// (idleTimeout - idleWarning) while the user works, and every kWarningRecheck during the countdown.
///
/// Host loop:
/// @code
///   // whenever an input was given, re-arm: timer.start(guard.nextDeadline())
///   void onGuardTimer() {
///       if (guard.idleSampleDue())
///           guard.onIdleTime(idleSource.idleTime());
///       guard.onTimer();
///   }
/// @endcode
class SessionGuard {
public:
    /// Re-check period during the idle countdown (one idle query per period).
    static constexpr std::chrono::seconds kWarningRecheck{1};
    /// After pcscd is back, how long the monitor has to report the session's cards again.
    static constexpr std::chrono::seconds kRestoreSettle{2};

    /// The clock and the actions must outlive the guard. The session starts Unknown: no decision is
    /// made until onSessionLocked/onSessionUnlocked, only cards are tracked. pcscd is assumed up until
    /// the monitor reports ServiceLost (it must do so when it cannot connect at start).
    SessionGuard(const Clock& clock, GuardActions& actions, const GuardSettings& settings = {});

    void onReaderEvent(const ReaderEvent& event);
    void onSessionLocked();
    /// The session became unlocked; `verified` is the card cpslockd verified for this session (empty:
    /// none, or cpslockd could not be asked). Trailing blanks of its reader name are ignored. A duplicate
    /// report while already unlocked is ignored (it must not restart the require_card grace).
    void onSessionUnlocked(const std::optional<BoundCard>& verified = std::nullopt);
    /// The verified card arrived after the unlock (cpslockd could not be asked at the unlock and answered
    /// later): bound as at the unlock, within the grace that started at the unlock. Ignored unless the
    /// session is unlocked, unbound and no lock is pending.
    void onVerifiedCard(const BoundCard& verified);
    /// A sample from the platform idle source: time since the last user input in the session.
    void onIdleTime(std::chrono::milliseconds idle);
    /// The user did something (event-driven idle sources): same as an idle sample of zero.
    void onUserActivity();
    /// Process whatever deadline has passed. Harmless to call at any time.
    void onTimer();
    /// Lock on behalf of the user: UserRequest (tray "lock now") or LostCard (loss report). Works in an
    /// Unknown session too; ignored when locked or when a lock is already pending.
    void requestLock(LockReason reason);
    /// New policy values; takes effect at once, also on running countdowns (durations are computed from
    /// when the countdown started). Negative durations count as zero, a warning longer than the timeout
    /// as the timeout.
    void updateSettings(const GuardSettings& settings);

    /// When the host must call onTimer() next (may be in the past: call it at once). Empty: no timer.
    std::optional<Clock::TimePoint> nextDeadline() const;
    /// True when the host should call onIdleTime() with a fresh sample before onTimer().
    bool idleSampleDue() const;

    const GuardStatus& status() const { return m_status; }
    const GuardSettings& settings() const { return m_settings; }

private:
    struct Binding {
        BoundCard card;
        bool seen = false;            ///< reported by the monitor since the unlock (false: still waited for)
        bool present = false;         ///< in its reader now
        bool awaitingRestore = false; ///< was present when pcscd went away, not reported again yet
    };

    /// The card (or event) behind a decision, for the audit record.
    struct CardRef {
        std::string reader;
        std::string serial;
        std::optional<CardKind> kind;
        std::int64_t monoNs; ///< the reader event's timestamp, 0 for timers ({} zeroes it)
    };

    void handleCardInserted(const ReaderEvent& event);
    void handleCardRemoved(const ReaderEvent& event);
    void handleReaderRemoved(const ReaderEvent& event);
    void handleServiceLost(const ReaderEvent& event);
    void handleServiceRestored(const ReaderEvent& event);

    bool decisionsActive() const;
    Binding* sessionBindingInReader(const std::string& reader);
    void bindVerified(const BoundCard& card);
    void applyRemovalAction(const CardRef& card);
    void requestLockFor(LockReason reason, const CardRef& card = {});
    /// The lock (`logout`: the logout) goes out; the guard waits for the session to report it.
    void requestAction(LockReason reason, const CardRef& card, bool logout);
    void logOutTokensAndRemind(LockReason reason);

    /// Due deadlines and derived state; run before and after every input.
    void evaluate();
    void evaluateIdleFromSample(std::chrono::milliseconds idle);
    void cancelIdleWarning(bool audited);
    void refreshServiceBlindness();
    std::optional<Clock::TimePoint> noCardDeadline() const;
    std::optional<Clock::TimePoint> serviceDeadline() const;
    std::optional<Clock::TimePoint> settleDeadline() const;
    bool idleActive() const;
    bool anyAwaitingRestore() const;
    bool anyBindingSeen() const;

    void auditEvent(AuditKind kind, std::optional<LockReason> reason = std::nullopt, const CardRef& card = {},
                    std::string detail = {});
    void publishStatus();

    const Clock& m_clock;
    GuardActions& m_actions;
    GuardSettings m_settings;

    SessionState m_session = SessionState::Unknown;
    bool m_actionPending = false;
    std::optional<LockReason> m_lastLockReason;
    ReaderTable m_readers; ///< what the monitor reported
    bool m_serviceUp = true;
    std::optional<Binding> m_binding; ///< the verified card of this unlocked period

    Clock::TimePoint m_noCardSince{};             ///< start of the require_card grace
    std::optional<Clock::TimePoint> m_blindSince; ///< start of the service-loss grace
    std::optional<Clock::TimePoint> m_restoredAt; ///< when pcscd came back

    // Idle: the last sample (m_idleAtSample measured at m_idleSampleAt) and the next check.
    std::chrono::milliseconds m_idleAtSample{0};
    Clock::TimePoint m_idleSampleAt{};
    Clock::TimePoint m_idleCheckAt{};
    std::optional<Clock::TimePoint> m_idleLockAt; ///< set while the warning shows

    GuardStatus m_status; ///< the last status sent
};

} // namespace cpslock
