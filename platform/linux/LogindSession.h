#pragma once

#include <QDBusConnection>
#include <QString>

#include <optional>
#include <string>

namespace cpslock::platform {

/// Finds this process's logind session on the system bus: XDG_SESSION_ID through Manager.GetSession,
/// else Manager.GetSessionByPID(getpid()). Blocking call with a short timeout: start-up only.
struct LogindSessionLookup {
    QString path;       ///< object path, empty when not found
    std::string detail; ///< how it was found or why not
};

LogindSessionLookup findLogindSession(QDBusConnection bus);

inline const QString kLogindService = QStringLiteral("org.freedesktop.login1");
inline const QString kLogindSessionInterface = QStringLiteral("org.freedesktop.login1.Session");

} // namespace cpslock::platform
