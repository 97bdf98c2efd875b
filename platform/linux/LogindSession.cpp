#include "platform/linux/LogindSession.h"

#include <QDBusMessage>
#include <QDBusObjectPath>
#include <QDBusReply>

#include <unistd.h>

namespace cpslock::platform {

LogindSessionLookup findLogindSession(QDBusConnection bus) {
    if (!bus.isConnected())
        return {{}, "no system bus (" + bus.lastError().message().toStdString() + ")"};
    // Plain messages, not QDBusInterface: no introspection round trip, no per-connection meta-object cache.
    auto manager = [&bus](const QString& method, const QVariant& argument) {
        QDBusMessage m = QDBusMessage::createMethodCall(kLogindService, QStringLiteral("/org/freedesktop/login1"),
                                                        QStringLiteral("org.freedesktop.login1.Manager"), method);
        m << argument;
        return bus.call(m, QDBus::Block, 2000);
    };
    const QByteArray id = qgetenv("XDG_SESSION_ID");
    if (!id.isEmpty()) {
        const QDBusReply<QDBusObjectPath> reply = manager(QStringLiteral("GetSession"), QString::fromUtf8(id));
        if (reply.isValid())
            return {reply.value().path(), "session " + id.toStdString() + " (XDG_SESSION_ID)"};
        return {{}, "GetSession(" + id.toStdString() + "): " + reply.error().message().toStdString()};
    }
    const auto pid = static_cast<quint32>(getpid());
    const QDBusReply<QDBusObjectPath> reply = manager(QStringLiteral("GetSessionByPID"), QVariant::fromValue(pid));
    if (reply.isValid())
        return {reply.value().path(), "session " + reply.value().path().toStdString() + " (by PID)"};
    return {{}, "GetSessionByPID: " + reply.error().message().toStdString()};
}

} // namespace cpslock::platform
