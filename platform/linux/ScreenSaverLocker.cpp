// SPDX-License-Identifier: EUPL-1.2
#include "platform/linux/ScreenSaverLocker.h"

#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QDBusReply>

namespace cpslock::platform {
namespace {
constexpr QLatin1String kService("org.freedesktop.ScreenSaver");
constexpr QLatin1String kPath("/org/freedesktop/ScreenSaver");
constexpr QLatin1String kInterface("org.freedesktop.ScreenSaver");
} // namespace

ScreenSaverLocker::ScreenSaverLocker(QDBusConnection bus) : m_bus(std::move(bus)) {}

LockerProbe ScreenSaverLocker::probe() {
    if (!m_bus.isConnected())
        return {false, "no session bus (" + m_bus.lastError().message().toStdString() + ")"};
    if (!m_watcher) {
        m_watcher = std::make_unique<QDBusServiceWatcher>(kService, m_bus, QDBusServiceWatcher::WatchForOwnerChange);
        QObject::connect(m_watcher.get(), &QDBusServiceWatcher::serviceOwnerChanged, &m_relay,
                         [this](const QString&, const QString&, const QString& newOwner) {
                             const bool was = m_usable;
                             const LockerProbe found =
                                 newOwner.isEmpty()
                                     ? LockerProbe{false, "org.freedesktop.ScreenSaver left the session bus"}
                                     : probeNow();
                             if (newOwner.isEmpty()) {
                                 m_relay.unwatch();
                                 m_usable = false;
                                 m_active.reset();
                             }
                             if ((was || found.usable) && m_availability)
                                 m_availability(found.usable, found.detail);
                         });
    }
    return probeNow();
}

LockerProbe ScreenSaverLocker::probeNow() {
    m_relay.unwatch();
    m_usable = false;
    m_active.reset();
    // Only a running owner counts: a D-Bus activatable name could start a screensaver nobody configured.
    const QDBusReply<bool> owned = m_bus.interface()->isServiceRegistered(kService);
    if (!owned.isValid() || !owned.value())
        return {false, "org.freedesktop.ScreenSaver not on the session bus"};
    m_usable = true;
    m_relay.watchBool(m_bus, kService, kPath, kInterface, QStringLiteral("ActiveChanged"), [this](bool on) {
        if (m_active == on)
            return;
        m_active = on;
        if (m_stateHandler)
            m_stateHandler(on);
    });
    const QDBusMessage get = QDBusMessage::createMethodCall(kService, kPath, kInterface, QStringLiteral("GetActive"));
    const QDBusReply<bool> active = m_bus.call(get, QDBus::Block, 2000);
    if (active.isValid())
        m_active = active.value();
    return {true, std::string("org.freedesktop.ScreenSaver on the session bus") +
                      (active.isValid() ? ", ActiveChanged watched" : ", GetActive failed")};
}

void ScreenSaverLocker::lock(Done done) {
    const QDBusMessage message = QDBusMessage::createMethodCall(kService, kPath, kInterface, QStringLiteral("Lock"));
    auto* watcher = new QDBusPendingCallWatcher(m_bus.asyncCall(message, 5000), &m_relay);
    QObject::connect(watcher, &QDBusPendingCallWatcher::finished, &m_relay,
                     [done = std::move(done)](QDBusPendingCallWatcher* w) {
                         const QDBusPendingReply<> reply = *w;
                         w->deleteLater();
                         if (reply.isError())
                             done(false, "ScreenSaver Lock: " + reply.error().message().toStdString());
                         else
                             done(true, {});
                     });
}

} // namespace cpslock::platform
