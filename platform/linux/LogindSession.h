// SPDX-License-Identifier: EUPL-1.2
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

/// Whether this process's logind session is ending (a logout): its State is "closing", or logind
/// answers that the session no longer exists. Empty when it is not, or when logind cannot be asked
/// (no system bus, logind away): the caller then treats the stop as one inside an open session.
/// Blocking, short time-outs: for the stop path only.
std::optional<std::string> logindSessionEnding(QDBusConnection bus);

inline constexpr QLatin1String kLogindService("org.freedesktop.login1");
inline constexpr QLatin1String kLogindSessionInterface("org.freedesktop.login1.Session");

} // namespace cpslock::platform
