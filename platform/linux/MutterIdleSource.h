// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/IdleSource.h"

#include <QDBusConnection>

namespace cpslock::platform {

/// GNOME (Wayland or X11): org.gnome.Mutter.IdleMonitor.GetIdletime on the session bus.
class MutterIdleSource final : public IdleSource {
public:
    explicit MutterIdleSource(QDBusConnection bus);

    std::string name() const override { return "mutter"; }
    Result<void> probe() override;
    std::optional<std::chrono::milliseconds> idleTime() override;

private:
    QDBusConnection m_bus;
};

} // namespace cpslock::platform
