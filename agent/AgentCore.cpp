// SPDX-License-Identifier: EUPL-1.2
#include "agent/AgentCore.h"

#include "pcsc/ReaderMonitor.h"

#include <QMetaObject>
#include <QPointer>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace cpslock::agent {
namespace {

using std::chrono::milliseconds;

std::string formatMs(std::chrono::nanoseconds d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", static_cast<double>(d.count()) / 1e6);
    return buf;
}

std::string reasonPhrase(LockReason reason) {
    std::string s(toString(reason));
    for (char& c : s) {
        if (c == '-')
            c = ' ';
    }
    return s;
}

} // namespace

AgentCore::AgentCore(const Clock& clock, LockerChain& lockers, IdleSource* idle, AuditSink& audit,
                     SessionAuthority* authority, const GuardSettings& settings, QObject* parent)
    : QObject(parent), m_clock(clock), m_lockers(lockers), m_idle(idle), m_audit(audit), m_authority(authority),
      m_guard(clock, *this, settings) {
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, [this] { handleTimer(); });
    m_retry.setSingleShot(true);
    m_retry.setInterval(1000);
    connect(&m_retry, &QTimer::timeout, this, [this] { sendLock(); });
    m_confirm.setSingleShot(true);
    m_confirm.setInterval(std::chrono::duration_cast<milliseconds>(kLockConfirmTimeout));
    connect(&m_confirm, &QTimer::timeout, this, [this] { handleLockUnconfirmed(); });
    m_stopTimer.setSingleShot(true);
    m_stopTimer.setInterval(std::chrono::duration_cast<milliseconds>(kStopLockTimeout));
    connect(&m_stopTimer, &QTimer::timeout, this, [this] { handleStopTimeout(); });
    m_authorityRetry.setSingleShot(true);
    m_authorityRetry.setInterval(std::chrono::duration_cast<milliseconds>(kAuthorityRetry));
    connect(&m_authorityRetry, &QTimer::timeout, this, [this] { handleAuthorityRetry(); });
}

AgentCore::~AgentCore() {
    stop();
}

void AgentCore::start(bool withMonitor) {
    m_lockers.watchState([this](bool locked) { onSessionLockChanged(locked); });
    m_lockers.watchChanges([this](const std::string& name, bool usable, const std::string& detail) {
        onLockersChanged(name, usable, detail);
    });
    if (m_idle != nullptr)
        m_idle->watchActivity([this] {
            m_guard.onUserActivity();
            rearm();
        });
    // Unknown counts as unlocked: deciding nothing until someone reports a state would fail open.
    const std::optional<bool> locked = m_lockers.lockedState();
    if (locked.value_or(false)) {
        m_guard.onSessionLocked();
        // Whatever was verified before this start must not open the next (password) unlock either.
        if (m_authority != nullptr) {
            const auto answer = m_authority->verifiedCard();
            if (answer.card)
                m_generation = answer.card->generation;
        }
        tellAuthorityLocked();
    } else {
        // A restarted agent recovers the binding from the authority, never from what is in the readers.
        m_guard.onSessionUnlocked(askAuthority("start"));
        armAuthorityRetry();
    }
    publishStatus();
    if (withMonitor) {
        m_monitor = std::make_unique<pcsc::ReaderMonitor>([this](const ReaderEvent& e) { postReaderEvent(e); });
        m_monitor->start();
    }
    rearm();
}

void AgentCore::stop() {
    if (m_stopped)
        return;
    m_stopped = true;
    if (m_monitor)
        m_monitor->stop();
    m_timer.stop();
    m_retry.stop();
    m_confirm.stop();
    m_stopTimer.stop();
    m_authorityRetry.stop();
}

void AgentCore::shutdown(std::function<void()> quit) {
    if (m_stopped || m_quit) {
        m_quit = std::move(quit);
        quitNow();
        return;
    }
    std::string why;
    if (const auto ending = m_sessionEnding ? m_sessionEnding() : std::nullopt) {
        why = "session ending (" + *ending + ")";
    } else if (m_guard.status().session == SessionState::Locked) {
        why = "session locked";
    }
    if (!why.empty()) {
        spdlog::info("stopping: {}", why);
        write({"agent-stopping", AuditRecord::Severity::Info, "cpslock-agent stopping", {{"detail", why}}});
        quit();
        return;
    }
    // Stopped inside an open session (systemctl --user stop, a kill): the session would stay open
    // without anyone watching the card. Lock first.
    spdlog::warn("stopping inside an unlocked session: locking first");
    write({"agent-stopping",
           AuditRecord::Severity::Warning,
           "cpslock-agent stopping: locking the session first",
           {{"detail", "session unlocked: locking first"}}});
    m_quit = std::move(quit);
    m_stopTimer.start();
    if (!m_guard.status().lockRequested)
        m_guard.requestLock(LockReason::AgentStopped);
    rearm();
}

void AgentCore::handleStopTimeout() {
    if (!m_quit)
        return;
    spdlog::error("LOCK FAILED: the session did not lock within {} s of the stop request", kStopLockTimeout.count());
    write({"lock-failed",
           AuditRecord::Severity::Error,
           "Verrouillage impossible / the session could not be locked",
           {{"detail", "agent stopped before the session locked"}}});
    quitNow();
}

void AgentCore::quitNow() {
    auto quit = std::exchange(m_quit, nullptr);
    m_stopTimer.stop();
    if (quit)
        quit();
}

void AgentCore::postReaderEvent(const ReaderEvent& event) {
    // Queued to the main thread: the guard is single-threaded. Qt wakes the loop through its eventfd.
    QMetaObject::invokeMethod(
        this, [this, event] { onReaderEvent(event); }, Qt::QueuedConnection);
}

void AgentCore::onReaderEvent(const ReaderEvent& event) {
    if (m_stopped)
        return;
    // The guard's own records (lock...) are written after the card's, but only after the lock call left.
    m_deferAudit = true;
    m_lockEventNs = event.monoNs;
    m_guard.onReaderEvent(event);
    m_lockEventNs = 0;
    m_deferAudit = false;
    if (event.type != ReaderEventType::ServiceLost && event.type != ReaderEventType::ServiceRestored)
        write(cardRecord(event));
    flushDeferred();
    rearm();
}

void AgentCore::onSessionLockChanged(bool locked) {
    // "Unlocked" again while unlocked (a locker that came back reads LockedHint false): nothing changed,
    // and a lock in flight or being retried must stay so.
    if (!locked && m_guard.status().session == SessionState::Unlocked)
        return;
    if (locked) {
        if (m_pendingReason && m_lockLatency) {
            spdlog::info("locked: {} ({} ms after pcscd reported it)", reasonPhrase(*m_pendingReason),
                         formatMs(*m_lockLatency));
        } else if (m_pendingReason) {
            spdlog::info("locked: {}", reasonPhrase(*m_pendingReason));
        } else {
            spdlog::info("locked (by the desktop or the user)");
        }
        m_guard.onSessionLocked();
        m_authorityRetry.stop();
        m_authorityRetryUntil.reset();
        tellAuthorityLocked();
        setLockFailing(false);
    } else {
        spdlog::info("unlocked");
        m_guard.onSessionUnlocked(askAuthority("unlock"));
        armAuthorityRetry();
    }
    m_pendingReason.reset();
    m_lockLatency.reset();
    m_retry.stop();
    m_confirm.stop();
    m_firstLocker = 0;
    rearm();
    if (locked && m_quit)
        quitNow();
}

void AgentCore::armAuthorityRetry() {
    if (!m_authorityFailed || m_authority == nullptr || m_stopped) {
        m_authorityRetryUntil.reset();
        return;
    }
    m_authorityRetryUntil = m_clock.now() + kAuthorityRetryWindow;
    m_authorityRetry.start();
}

void AgentCore::handleAuthorityRetry() {
    m_authorityRetry.stop(); // re-armed below when asked again (tests call this directly)
    if (m_stopped || !m_authorityRetryUntil)
        return;
    const GuardStatus& st = m_guard.status();
    if (st.session != SessionState::Unlocked || st.lockRequested || !st.boundCards.empty()) {
        m_authorityRetryUntil.reset();
        return;
    }
    const auto card = askAuthority("retry");
    if (card) {
        spdlog::info("card authority answered: session card {} in {}", card->serial, card->reader);
        m_authorityRetryUntil.reset();
        m_guard.onVerifiedCard(*card);
        rearm();
        return;
    }
    if (m_authorityFailed && m_clock.now() < *m_authorityRetryUntil)
        m_authorityRetry.start();
    else
        m_authorityRetryUntil.reset();
}

std::optional<BoundCard> AgentCore::askAuthority(const char* when) {
    const bool retry = std::string_view(when) == "retry";
    m_authorityFailed = false;
    auto unavailable = [this, when, retry](const std::string& detail) -> std::optional<BoundCard> {
        m_authorityFailed = true;
        if (retry) {
            spdlog::debug("card authority: {} (asked again)", detail);
            return std::nullopt;
        }
        spdlog::warn("card authority: {} (no verified card for this session)", detail);
        write({"authority-unavailable",
               AuditRecord::Severity::Warning,
               "Autorité des cartes (cpslockd) injoignable : aucune carte vérifiée / card authority unreachable: "
               "no verified card",
               {{"when", when}, {"detail", detail}}});
        return std::nullopt;
    };
    if (m_authority == nullptr) {
        const auto none = unavailable("no card authority (cpslockd) connected");
        m_authorityFailed = false; // nothing to ask again
        return none;
    }
    SessionAuthority::Answer answer;
    try {
        answer = m_authority->verifiedCard();
    } catch (const std::exception& e) {
        return unavailable(std::string("cpslockd: ") + e.what());
    }
    if (!answer.error.empty())
        return unavailable(answer.error);
    if (!answer.card)
        return std::nullopt;
    const VerifiedCard& card = *answer.card;
    if (card.generation != 0 && card.generation <= m_lockedGeneration) {
        // A verification this agent already saw consumed by a lock: it opened an earlier unlock, not this one.
        write({"authority-unavailable",
               AuditRecord::Severity::Warning,
               "Vérification déjà consommée par un verrouillage / verification already used before a lock",
               {{"when", when}, {"serial", card.serial}, {"detail", "generation " + std::to_string(card.generation)}}});
        return std::nullopt;
    }
    m_generation = std::max(m_generation, card.generation);
    return BoundCard{card.reader, card.serial, card.certSha256};
}

void AgentCore::tellAuthorityLocked() {
    m_lockedGeneration = std::max(m_lockedGeneration, m_generation);
    if (m_authority == nullptr)
        return;
    try {
        m_authority->sessionLocked(m_lockedGeneration);
    } catch (const std::exception& e) {
        spdlog::warn("card authority: sessionLocked: {}", e.what());
    }
}

void AgentCore::onLockersChanged(const std::string& name, bool usable, const std::string& detail) {
    if (m_stopped)
        return;
    const std::string names = m_lockers.anyUsable() ? m_lockers.usableNames() : "none";
    if (usable) {
        spdlog::info("locker {} available: {} (lockers: {})", name, detail, names);
        write({"locker-available",
               AuditRecord::Severity::Info,
               "Moyen de verrouillage disponible / locker available",
               {{"locker", name}, {"detail", detail}, {"lockers", names}}});
        // A lock waiting for a locker goes out now, not at the next retry.
        if (m_pendingReason && m_retry.isActive()) {
            m_retry.stop();
            m_firstLocker = 0;
            sendLock();
        }
    } else {
        const bool none = !m_lockers.anyUsable();
        if (none)
            spdlog::critical("NO LOCKER WORKS: {} left ({})", name, detail);
        else
            spdlog::warn("locker {} left: {} (lockers: {})", name, detail, names);
        write({"locker-missing",
               none ? AuditRecord::Severity::Error : AuditRecord::Severity::Warning,
               none ? "Aucun moyen de verrouiller la session / no way to lock the session"
                    : "Un moyen de verrouillage a disparu / a locker left",
               {{"locker", name}, {"detail", detail}, {"lockers", names}}});
    }
    publishStatus();
}

void AgentCore::setLockFailing(bool failing) {
    if (m_lockFailing == failing)
        return;
    m_lockFailing = failing;
    publishStatus();
}

void AgentCore::publishStatus() {
    statusChanged(m_guard.status());
}

void AgentCore::applySettings(const GuardSettings& settings) {
    m_guard.updateSettings(settings);
    rearm();
}

void AgentCore::requestLock(LockReason reason) {
    if (m_stopped)
        return;
    m_guard.requestLock(reason);
    rearm();
}

void AgentCore::auditRecord(const AuditRecord& record) {
    write(record);
}

void AgentCore::handleTimer() {
    if (m_stopped)
        return;
    if (m_idle != nullptr && m_guard.idleSampleDue()) {
        if (const auto idle = m_idle->idleTime())
            m_guard.onIdleTime(*idle);
    }
    m_guard.onTimer();
    rearm();
}

void AgentCore::rearm() {
    if (m_stopped)
        return;
    const auto next = m_guard.nextDeadline();
    m_armedFor = next;
    if (!next) {
        m_timer.stop();
        return;
    }
    const auto wait = std::chrono::ceil<milliseconds>(*next - m_clock.now());
    m_timer.start(static_cast<int>(std::clamp<milliseconds::rep>(wait.count(), 0, 24 * 3600 * 1000)));
}

// ---- GuardActions ----------------------------------------------------------------------------------

void AgentCore::lock(LockReason reason) {
    m_firstLocker = 0;
    m_pendingReason = reason;
    m_pendingLogout = false;
    m_lockLatency.reset();
    sendLock();
}

void AgentCore::logout(LockReason reason) {
    m_firstLocker = 0;
    m_pendingReason = reason;
    m_pendingLogout = true;
    m_lockLatency.reset();
    sendLock();
}

void AgentCore::sendLock() {
    if (!m_pendingReason)
        return;
    const bool wasLogout = m_pendingLogout;
    QPointer<AgentCore> self(this);
    auto done = [self, wasLogout](bool ok, const std::string& locker, std::size_t index, const std::string& detail) {
        if (self)
            self->lockDone(ok, locker, index, detail, wasLogout);
    };
    if (wasLogout)
        m_lockers.logout(done);
    else
        m_lockers.lock(done, m_firstLocker);
    m_lockSentNs = monotonicNs();
    if (m_lockEventNs > 0 && m_lockSentNs >= m_lockEventNs)
        m_lockLatency = std::chrono::nanoseconds(m_lockSentNs - m_lockEventNs);
}

void AgentCore::lockDone(bool ok, const std::string& locker, std::size_t index, const std::string& detail,
                         bool wasLogout) {
    if (ok) {
        if (!detail.empty())
            spdlog::warn("locked through {} after failures: {}", locker, detail);
        // Accepted is not done: only the session's own state says it is locked. Without any state
        // source there is nothing to wait for.
        if (m_pendingReason && m_lockers.lockedState().has_value() && !wasLogout) {
            m_acceptedBy = locker;
            m_firstLocker = index + 1;
            m_confirm.start();
        } else if (m_quit) {
            quitNow();
        }
        return;
    }
    if (wasLogout) {
        // Fail closed: a session that cannot be ended is at least locked.
        write({"lock-failed",
               AuditRecord::Severity::Error,
               "Fermeture de session impossible, verrouillage à la place / logout failed, locking instead",
               {{"detail", detail}}});
        m_pendingLogout = false;
        sendLock();
        return;
    }
    spdlog::error("LOCK FAILED: {} (retrying every second)", detail);
    setLockFailing(true);
    write({"lock-failed",
           AuditRecord::Severity::Error,
           "Verrouillage impossible / the session could not be locked",
           {{"detail", detail}}});
    m_firstLocker = 0; // the retry asks every locker again
    if (m_quit && !m_lockers.anyUsable()) {
        // Stopping with no locker at all: nothing to wait for (the failure is audited above).
        quitNow();
        return;
    }
    if (m_pendingReason && !m_stopped)
        m_retry.start();
}

void AgentCore::handleLockUnconfirmed() {
    if (!m_pendingReason || m_stopped)
        return;
    const std::string detail = m_acceptedBy + " accepted the lock but the session did not lock within " +
                               std::to_string(kLockConfirmTimeout.count()) + " s";
    spdlog::error("LOCK FAILED: {}", detail);
    setLockFailing(true);
    write({"lock-failed",
           AuditRecord::Severity::Error,
           "Verrouillage impossible / the session could not be locked",
           {{"detail", detail}}});
    if (m_firstLocker < m_lockers.usableCount()) {
        sendLock(); // the next locker in the chain
    } else {
        m_firstLocker = 0; // every locker tried: start over, loudly, every second
        m_retry.start();
    }
}

void AgentCore::showIdleWarning(milliseconds remaining) {
    if (!m_warningShown)
        spdlog::warn("idle: the session locks in {} s unless you use it", (remaining.count() + 999) / 1000);
    m_warningShown = true;
    if (m_warningHandler)
        m_warningHandler(remaining);
}

void AgentCore::hideIdleWarning() {
    m_warningShown = false;
    if (m_warningHandler)
        m_warningHandler(std::nullopt);
}

void AgentCore::logoutToken(const std::string& reader) {
    // The agent holds no PKCS#11 session yet (card verification runs in cpslock-auth); recorded by the guard.
    spdlog::debug("token logout for {}", reader);
}

void AgentCore::remindCard() {
    const LocalizedText text = cardReminderMessage();
    write({"card-reminder", AuditRecord::Severity::Info, std::string(text.fr) + " / " + std::string(text.en), {}});
}

void AgentCore::audit(const AuditEvent& event) {
    AuditRecord r;
    r.kind = std::string(toString(event.kind));
    if (event.reason)
        r.fields.emplace_back("reason", std::string(toString(*event.reason)));
    if (!event.reader.empty())
        r.fields.emplace_back("reader", event.reader);
    if (!event.serial.empty())
        r.fields.emplace_back("serial", event.serial);
    if (event.cardKind)
        r.fields.emplace_back("card_kind", std::string(toString(*event.cardKind)));
    if (!event.detail.empty())
        r.fields.emplace_back("detail", event.detail);
    switch (event.kind) {
    case AuditKind::LockRequested:
    case AuditKind::LogoutRequested: {
        const LockReason reason = event.reason.value_or(LockReason::UserRequest);
        const LocalizedText text = userMessage(reason);
        r.message = std::string(text.fr) + " / " + std::string(text.en);
        const auto latency = event.latency(m_lockSentNs);
        if (latency)
            r.fields.emplace_back("latency_ms", formatMs(*latency));
        if (!m_lockers.anyUsable())
            r.severity = AuditRecord::Severity::Error;
        spdlog::info("{} requested: {}{}", event.kind == AuditKind::LockRequested ? "lock" : "logout",
                     reasonPhrase(reason), latency ? " (" + formatMs(*latency) + " ms after pcscd reported it)" : "");
        break;
    }
    case AuditKind::ServiceLost:
        r.severity = AuditRecord::Severity::Warning;
        r.message = "Service des cartes à puce perdu / smart card service lost";
        break;
    case AuditKind::IdleWarning:
        r.severity = AuditRecord::Severity::Warning;
        r.message = "Verrouillage imminent pour inactivité / idle lock coming";
        break;
    default:
        r.message = r.kind;
        break;
    }
    write(r);
}

void AgentCore::statusChanged(const GuardStatus& status) {
    GuardStatus s = status;
    s.lockerWorking = lockerWorking();
    if (m_statusHandler)
        m_statusHandler(s);
}

// ---- audit -----------------------------------------------------------------------------------------

AuditRecord AgentCore::cardRecord(const ReaderEvent& event) const {
    AuditRecord r;
    r.kind = std::string(toString(event.type));
    r.fields.emplace_back("reader", event.reader);
    if (event.type == ReaderEventType::CardInserted || event.type == ReaderEventType::CardRemoved) {
        r.fields.emplace_back("card_kind", std::string(toString(event.kind)));
        if (!event.serial.empty())
            r.fields.emplace_back("serial", event.serial);
    }
    r.message = r.kind;
    return r;
}

void AgentCore::write(const AuditRecord& record) {
    if (m_deferAudit) {
        m_deferred.push_back(record);
        return;
    }
    m_audit.write(record);
}

void AgentCore::flushDeferred() {
    auto records = std::exchange(m_deferred, {});
    for (const auto& r : records)
        m_audit.write(r);
}

} // namespace cpslock::agent
