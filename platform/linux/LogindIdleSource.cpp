// SPDX-License-Identifier: EUPL-1.2
#include "platform/linux/LogindIdleSource.h"

#include "platform/linux/LogindSession.h"

#include <QDBusMessage>
#include <QDBusReply>
#include <QDBusVariant>

#include <ctime>

namespace cpslock::platform {
namespace {
std::int64_t monotonicUs() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}
} // namespace

LogindIdleSource::LogindIdleSource(QDBusConnection bus) : m_bus(std::move(bus)) {}

Result<void> LogindIdleSource::probe() {
    const LogindSessionLookup found = findLogindSession(m_bus);
    if (found.path.isEmpty())
        return fail(found.detail);
    m_path = found.path;
    if (!idleTime())
        return fail("session has no IdleHint");
    m_relay.watchProperties(m_bus, kLogindService, m_path,
                            [this](const QString& interface, const QVariantMap& changed) {
                                if (interface != kLogindSessionInterface)
                                    return;
                                const auto it = changed.find(QStringLiteral("IdleHint"));
                                if (it != changed.end() && !it->toBool() && m_activity)
                                    m_activity();
                            });
    return {};
}

std::optional<std::chrono::milliseconds> LogindIdleSource::idleTime() {
    QDBusMessage get = QDBusMessage::createMethodCall(
        kLogindService, m_path, QStringLiteral("org.freedesktop.DBus.Properties"), QStringLiteral("GetAll"));
    get << kLogindSessionInterface;
    const QDBusReply<QVariantMap> all = m_bus.call(get, QDBus::Block, 1000);
    if (!all.isValid() || !all.value().contains(QStringLiteral("IdleHint")))
        return std::nullopt;
    if (!all.value().value(QStringLiteral("IdleHint")).toBool())
        return std::chrono::milliseconds{0};
    const auto since =
        static_cast<std::int64_t>(all.value().value(QStringLiteral("IdleSinceHintMonotonic")).toULongLong());
    const std::int64_t now = monotonicUs();
    return std::chrono::milliseconds(since > 0 && now > since ? (now - since) / 1000 : 0);
}

} // namespace cpslock::platform
