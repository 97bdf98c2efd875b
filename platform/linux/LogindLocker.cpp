// SPDX-License-Identifier: EUPL-1.2
#include "platform/linux/LogindLocker.h"

#include "platform/linux/LogindSession.h"

#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QDBusReply>
#include <QDBusVariant>

#include <algorithm>
#include <memory>

namespace cpslock::platform {

LogindLocker::LogindLocker(QDBusConnection bus) : m_bus(std::move(bus)) {
    m_retry.setSingleShot(true);
    QObject::connect(&m_retry, &QTimer::timeout, &m_relay, [this] { retryLookup(); });
}

LockerProbe LogindLocker::probe() {
    if (!m_watcher && m_bus.isConnected()) {
        // Followed from now on, found or not: an agent started while logind is away keeps looking.
        m_watcher =
            std::make_unique<QDBusServiceWatcher>(kLogindService, m_bus, QDBusServiceWatcher::WatchForOwnerChange);
        QObject::connect(m_watcher.get(), &QDBusServiceWatcher::serviceOwnerChanged, &m_relay,
                         [this](const QString&, const QString&, const QString& newOwner) { onOwnerChanged(newOwner); });
    }
    const LockerProbe found = probeNow();
    if (!found.usable && m_bus.isConnected())
        m_retry.start(m_retryDelay);
    return found;
}

LockerProbe LogindLocker::probeNow() {
    m_relay.unwatch();
    m_path.clear();
    m_locked.reset();
    m_usable = false;
    const LogindSessionLookup found = findLogindSession(m_bus);
    if (found.path.isEmpty())
        return {false, found.detail};
    m_path = found.path;
    m_usable = true;

    // Subscribed before LockedHint is read: a change in between is not lost.
    m_relay.watchProperties(m_bus, kLogindService, m_path,
                            [this](const QString& interface, const QVariantMap& changed) {
                                if (interface != kLogindSessionInterface)
                                    return;
                                const auto it = changed.find(QStringLiteral("LockedHint"));
                                if (it == changed.end())
                                    return;
                                const bool locked = it->toBool();
                                if (m_locked == locked)
                                    return;
                                m_locked = locked;
                                if (m_stateHandler)
                                    m_stateHandler(locked);
                            });
    QDBusMessage get = QDBusMessage::createMethodCall(
        kLogindService, m_path, QStringLiteral("org.freedesktop.DBus.Properties"), QStringLiteral("Get"));
    get << kLogindSessionInterface << QStringLiteral("LockedHint");
    const QDBusReply<QDBusVariant> hint = m_bus.call(get, QDBus::Block, 2000);
    if (hint.isValid()) {
        m_locked = hint.value().variant().toBool();
    } else {
        const QString error = hint.error().name();
        // Without LockedHint (logind < 230: no such property) locking still works; the state then comes
        // from another locker. Any other failure means the session object is not (yet) there: a logind
        // that just started answers GetSession before it restored its sessions. Looked up again.
        if (error != QStringLiteral("org.freedesktop.DBus.Error.InvalidArgs") &&
            error != QStringLiteral("org.freedesktop.DBus.Error.UnknownProperty")) {
            m_relay.unwatch();
            m_path.clear();
            m_usable = false;
            return {false, found.detail + ", session not readable: " + hint.error().message().toStdString()};
        }
    }
    const Result<void> direct = m_caller.open();
    return {true, found.detail + (hint.isValid() ? ", LockedHint watched" : ", no LockedHint") +
                      (direct ? "" : ", calls through QtDBus (" + direct.error().message + ")")};
}

void LogindLocker::onOwnerChanged(const QString& newOwner) {
    if (newOwner.isEmpty()) {
        m_retry.stop();
        const bool was = m_usable;
        m_relay.unwatch();
        m_path.clear();
        m_locked.reset();
        m_usable = false;
        if (was && m_availability)
            m_availability(false, "logind left the system bus");
        return;
    }
    m_retryDelay = kRetryFirst;
    retryLookup();
}

void LogindLocker::retryLookup() {
    const LockerProbe found = probeNow();
    if (found.usable) {
        m_retryDelay = kRetryFirst;
        if (m_availability)
            m_availability(true, found.detail);
        return;
    }
    // logind answers but does not know the session yet (it restores its sessions at start): look again.
    m_retry.start(m_retryDelay);
    m_retryDelay = std::min(m_retryDelay * 2, kRetryMax);
}

void LogindLocker::call(const QString& method, Done done) {
    if (m_path.isEmpty()) {
        done(false, "no logind session");
        return;
    }
    if (m_caller.isOpen()) {
        const QByteArray path = m_path.toUtf8();
        const QByteArray member = method.toUtf8();
        const std::string name = method.toStdString();
        auto shared = std::make_shared<Done>(done);
        const bool queued = m_caller.call("org.freedesktop.login1", path.constData(), "org.freedesktop.login1.Session",
                                          member.constData(), [shared, name](const Result<void>& outcome) {
                                              const std::string why = outcome ? "" : outcome.error().message;
                                              (*shared)(outcome.ok(), outcome ? "" : "logind " + name + ": " + why);
                                          });
        if (queued)
            return;
        // Fall through to QtDBus: a broken direct connection must not cost the lock.
    }
    const QDBusMessage message =
        QDBusMessage::createMethodCall(kLogindService, m_path, kLogindSessionInterface, method);
    auto* watcher = new QDBusPendingCallWatcher(m_bus.asyncCall(message, 5000), &m_relay);
    QObject::connect(watcher, &QDBusPendingCallWatcher::finished, &m_relay,
                     [done = std::move(done), method](QDBusPendingCallWatcher* w) {
                         const QDBusPendingReply<> reply = *w;
                         w->deleteLater();
                         if (reply.isError())
                             done(false,
                                  "logind " + method.toStdString() + ": " + reply.error().message().toStdString());
                         else
                             done(true, {});
                     });
}

void LogindLocker::lock(Done done) {
    call(QStringLiteral("Lock"), std::move(done));
}

void LogindLocker::logout(Done done) {
    call(QStringLiteral("Terminate"), std::move(done));
}

} // namespace cpslock::platform
