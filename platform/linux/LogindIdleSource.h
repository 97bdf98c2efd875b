// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/IdleSource.h"
#include "platform/linux/DBusSignalRelay.h"

#include <QDBusConnection>
#include <QString>

namespace cpslock::platform {

/// logind's view of the session: IdleHint and IdleSinceHintMonotonic, which the desktop (or
/// systemd's own idle detection on a TTY) keeps up to date. A change of IdleHint to false is pushed
/// as user activity.
class LogindIdleSource final : public IdleSource {
public:
    explicit LogindIdleSource(QDBusConnection bus);

    std::string name() const override { return "logind"; }
    Result<void> probe() override;
    std::optional<std::chrono::milliseconds> idleTime() override;
    void watchActivity(ActivityHandler handler) override { m_activity = std::move(handler); }

private:
    QDBusConnection m_bus;
    QString m_path;
    ActivityHandler m_activity;
    DBusSignalRelay m_relay;
};

} // namespace cpslock::platform
