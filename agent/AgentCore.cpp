// SPDX-License-Identifier: EUPL-1.2
#include "agent/AgentCore.h"

#include "pcsc/ReaderMonitor.h"

#include <QMetaObject>

#include <spdlog/spdlog.h>

#include <algorithm>

namespace cpslock::agent {
namespace {

/// The authority's answer; an exception from it (a Qt or socket layer) is one more way of not answering.
SessionAuthority::Answer askCatching(SessionAuthority& authority) {
    try {
        return authority.verifiedCard();
    } catch (const std::exception& e) {
        return fail(std::string("cpslockd: ") + e.what());
    }
}

} // namespace

using std::chrono::milliseconds;

AgentCore::AgentCore(const Clock& clock, LockerChain& lockers, IdleSource* idle, AuditSink& audit,
                     SessionAuthority* authority, const GuardSettings& settings, QObject* parent)
    : QObject(parent), m_clock(clock), m_lockers(lockers), m_idle(idle), m_audit(audit), m_authority(authority),
      m_delivery(lockers, m_audit, *this), m_guard(clock, *this, settings) {
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, [this] { handleTimer(); });
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
            if (answer && *answer)
                m_generation = (*answer)->generation;
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
    m_delivery.stop();
    m_stopTimer.stop();
    m_authorityRetry.stop();
}

void AgentCore::shutdown(std::function<void()> quit) {
    if (m_stopped || m_quit) {
        m_quit = std::move(quit);
        quitNow();
        return;
    }
    if (const auto why = noLockNeededToStop()) {
        spdlog::info("stopping: {}", *why);
        m_audit.write({"agent-stopping", AuditRecord::Severity::Info, "cpslock-agent stopping", {{"detail", *why}}});
        quit();
        return;
    }
    // Stopped inside an open session (systemctl --user stop, a kill): the session would stay open
    // without anyone watching the card. Lock first.
    spdlog::warn("stopping inside an unlocked session: locking first");
    m_audit.write({"agent-stopping",
                   AuditRecord::Severity::Warning,
                   "cpslock-agent stopping: locking the session first",
                   {{"detail", "session unlocked: locking first"}}});
    m_quit = std::move(quit);
    m_stopTimer.start();
    if (!m_guard.status().lockRequested)
        m_guard.requestLock(LockReason::AgentStopped);
    rearm();
}

std::optional<std::string> AgentCore::noLockNeededToStop() {
    if (const auto ending = m_sessionEnding ? m_sessionEnding() : std::nullopt)
        return "session ending (" + *ending + ")";
    if (m_guard.status().session == SessionState::Locked)
        return "session locked";
    return std::nullopt;
}

void AgentCore::handleStopTimeout() {
    if (!m_quit)
        return;
    spdlog::error("LOCK FAILED: the session did not lock within {} s of the stop request", kStopLockTimeout.count());
    m_audit.write(lockFailedRecord("agent stopped before the session locked"));
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
    m_audit.hold();
    m_delivery.setEventNs(event.monoNs);
    m_guard.onReaderEvent(event);
    m_delivery.setEventNs(0);
    m_audit.release();
    if (event.type != ReaderEventType::ServiceLost && event.type != ReaderEventType::ServiceRestored)
        m_audit.write(cardRecord(event));
    m_audit.flush();
    rearm();
}

void AgentCore::onSessionLockChanged(bool locked) {
    // "Unlocked" again while unlocked (a locker that came back reads LockedHint false): nothing changed,
    // and a lock in flight or being retried must stay so.
    if (!locked && m_guard.status().session == SessionState::Unlocked)
        return;
    if (locked) {
        m_delivery.logLocked();
        m_guard.onSessionLocked();
        m_authorityRetry.stop();
        m_authorityRetryUntil.reset();
        tellAuthorityLocked();
    } else {
        spdlog::info("unlocked");
        m_guard.onSessionUnlocked(askAuthority("unlock"));
        armAuthorityRetry();
    }
    m_delivery.settled(locked);
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
        m_audit.write({"authority-unavailable",
                       AuditRecord::Severity::Warning,
                       "Autorité des cartes (cpslockd) injoignable : aucune carte vérifiée / card authority "
                       "unreachable: no verified card",
                       {{"when", when}, {"detail", detail}}});
        return std::nullopt;
    };
    if (m_authority == nullptr) {
        const auto none = unavailable("no card authority (cpslockd) connected");
        m_authorityFailed = false; // nothing to ask again
        return none;
    }
    const SessionAuthority::Answer answer = askCatching(*m_authority);
    if (!answer)
        return unavailable(answer.error().message);
    if (!*answer)
        return std::nullopt;
    const VerifiedCard& card = **answer;
    if (card.generation != 0 && card.generation <= m_lockedGeneration) {
        // A verification this agent already saw consumed by a lock: it opened an earlier unlock, not this one.
        m_audit.write(
            {"authority-unavailable",
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
        m_audit.write({"locker-available",
                       AuditRecord::Severity::Info,
                       "Moyen de verrouillage disponible / locker available",
                       {{"locker", name}, {"detail", detail}, {"lockers", names}}});
        // A lock waiting for a locker goes out now, not at the next retry.
        m_delivery.lockerAvailable();
    } else {
        const bool none = !m_lockers.anyUsable();
        if (none)
            spdlog::critical("NO LOCKER WORKS: {} left ({})", name, detail);
        else
            spdlog::warn("locker {} left: {} (lockers: {})", name, detail, names);
        m_audit.write({"locker-missing",
                       none ? AuditRecord::Severity::Error : AuditRecord::Severity::Warning,
                       none ? "Aucun moyen de verrouiller la session / no way to lock the session"
                            : "Un moyen de verrouillage a disparu / a locker left",
                       {{"locker", name}, {"detail", detail}, {"lockers", names}}});
    }
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
    m_audit.write(record);
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
    m_timer.start(
        static_cast<int>(std::clamp<milliseconds::rep>(wait.count(), 0, milliseconds::rep{24} * 3600 * 1000)));
}

// ---- GuardActions ----------------------------------------------------------------------------------

void AgentCore::lock(LockReason reason) {
    m_delivery.deliver(reason, false);
}

void AgentCore::logout(LockReason reason) {
    m_delivery.deliver(reason, true);
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
    m_audit.write({"card-reminder", AuditRecord::Severity::Info, bilingual(cardReminderMessage()), {}});
}

void AgentCore::audit(const AuditEvent& event) {
    std::optional<std::chrono::nanoseconds> latency;
    if (event.kind == AuditKind::LockRequested || event.kind == AuditKind::LogoutRequested) {
        latency = event.latency(m_delivery.sentNs());
        spdlog::info("{} requested: {}{}", event.kind == AuditKind::LockRequested ? "lock" : "logout",
                     reasonPhrase(event.reason.value_or(LockReason::UserRequest)),
                     latency ? " (" + formatMs(*latency) + " ms after pcscd reported it)" : "");
    }
    m_audit.write(guardRecord(event, latency, m_lockers.anyUsable()));
}

void AgentCore::statusChanged(const GuardStatus& status) {
    GuardStatus s = status;
    s.lockerWorking = lockerWorking();
    if (m_statusHandler)
        m_statusHandler(s);
}

} // namespace cpslock::agent
