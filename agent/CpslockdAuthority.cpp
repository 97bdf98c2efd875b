// SPDX-License-Identifier: EUPL-1.2
#include "agent/CpslockdAuthority.h"

#include "platform/linux/LogindSession.h"
#include "protocol/Request.h"

#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusReply>
#include <QDBusVariant>

#include <cstdlib>

namespace cpslock::agent {

bool CpslockdAuthority::resolveSession() {
    if (m_sessionId)
        return true;
    if (const char* id = std::getenv("XDG_SESSION_ID"); id != nullptr && protocol::validSessionId(id)) {
        m_sessionId = id;
        return true;
    }
    QDBusConnection bus = QDBusConnection::systemBus();
    const auto found = platform::findLogindSession(bus);
    if (found.path.isEmpty())
        return false;
    QDBusMessage get = QDBusMessage::createMethodCall(
        platform::kLogindService, found.path, QStringLiteral("org.freedesktop.DBus.Properties"), QStringLiteral("Get"));
    get << platform::kLogindSessionInterface << QStringLiteral("Id");
    const QDBusReply<QDBusVariant> reply = bus.call(get, QDBus::Block, 2000);
    if (!reply.isValid())
        return false;
    const std::string id = reply.value().variant().toString().toStdString();
    if (!protocol::validSessionId(id))
        return false;
    m_sessionId = id;
    return true;
}

SessionAuthority::Answer CpslockdAuthority::verifiedCard() {
    if (!resolveSession())
        return fail("this process's logind session is unknown");
    return protocol::DaemonAuthority(m_client, *m_sessionId).verifiedCard();
}

void CpslockdAuthority::sessionLocked(std::uint64_t generation) {
    if (resolveSession())
        protocol::DaemonAuthority(m_client, *m_sessionId).sessionLocked(generation);
}

} // namespace cpslock::agent
