// SPDX-License-Identifier: EUPL-1.2
#include "platform/linux/LogindSession.h"

#include <QDBusMessage>
#include <QDBusObjectPath>
#include <QDBusReply>
#include <QDBusVariant>

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
        return {{},
                "GetSession(" + id.toStdString() + "): " + reply.error().name().toStdString() + ": " +
                    reply.error().message().toStdString()};
    }
    const auto pid = static_cast<quint32>(getpid());
    const QDBusReply<QDBusObjectPath> reply = manager(QStringLiteral("GetSessionByPID"), QVariant::fromValue(pid));
    if (reply.isValid())
        return {reply.value().path(), "session " + reply.value().path().toStdString() + " (by PID)"};
    return {{},
            "GetSessionByPID: " + reply.error().name().toStdString() + ": " + reply.error().message().toStdString()};
}

std::optional<std::string> logindSessionEnding(QDBusConnection bus) {
    if (!bus.isConnected())
        return std::nullopt;
    const LogindSessionLookup found = findLogindSession(bus);
    if (found.path.isEmpty()) {
        // logind answered, and knows no such session: it is gone. logind absent or silent: cannot tell.
        const bool gone = found.detail.find("NoSuchSession") != std::string::npos ||
                          found.detail.find("NoSessionForPID") != std::string::npos ||
                          found.detail.find("No session") != std::string::npos;
        if (gone)
            return "logind session gone: " + found.detail;
        return std::nullopt;
    }
    QDBusMessage get = QDBusMessage::createMethodCall(
        kLogindService, found.path, QStringLiteral("org.freedesktop.DBus.Properties"), QStringLiteral("Get"));
    get << kLogindSessionInterface << QStringLiteral("State");
    const QDBusReply<QDBusVariant> state = bus.call(get, QDBus::Block, 2000);
    if (!state.isValid()) {
        const QString name = state.error().name();
        if (name == QStringLiteral("org.freedesktop.DBus.Error.UnknownObject") ||
            name == QStringLiteral("org.freedesktop.DBus.Error.UnknownMethod"))
            return "logind session gone: " + state.error().message().toStdString();
        return std::nullopt;
    }
    const QString value = state.value().variant().toString();
    if (value == QStringLiteral("closing"))
        return std::string("logind session State closing");
    return std::nullopt;
}

} // namespace cpslock::platform
