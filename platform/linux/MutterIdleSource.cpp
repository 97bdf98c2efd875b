// SPDX-License-Identifier: EUPL-1.2
#include "platform/linux/MutterIdleSource.h"

#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QDBusReply>

namespace cpslock::platform {
namespace {
constexpr QLatin1String kService("org.gnome.Mutter.IdleMonitor");
constexpr QLatin1String kPath("/org/gnome/Mutter/IdleMonitor/Core");
} // namespace

MutterIdleSource::MutterIdleSource(QDBusConnection bus) : m_bus(std::move(bus)) {}

Result<void> MutterIdleSource::probe() {
    if (!m_bus.isConnected())
        return fail("no session bus");
    const QDBusReply<bool> owned = m_bus.interface()->isServiceRegistered(kService);
    if (!owned.isValid() || !owned.value())
        return fail("org.gnome.Mutter.IdleMonitor not on the session bus");
    if (!idleTime())
        return fail("GetIdletime failed");
    return {};
}

std::optional<std::chrono::milliseconds> MutterIdleSource::idleTime() {
    const QDBusMessage call = QDBusMessage::createMethodCall(kService, kPath, kService, QStringLiteral("GetIdletime"));
    // Off the lock path (the idle timer), and gnome-shell answers in well under a millisecond.
    const QDBusReply<qulonglong> reply = m_bus.call(call, QDBus::Block, 1000);
    if (!reply.isValid())
        return std::nullopt;
    return std::chrono::milliseconds(static_cast<std::int64_t>(reply.value()));
}

} // namespace cpslock::platform
