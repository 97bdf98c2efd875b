#pragma once

#include "core/Locker.h"
#include "platform/linux/DBusSignalRelay.h"

#include <QDBusConnection>

#include <optional>

namespace cpslock::platform {

/// Locks through org.freedesktop.ScreenSaver on the session bus (KDE, Xfce, Cinnamon, xscreensaver's
/// bridge...): Lock(), GetActive() and the ActiveChanged signal. It cannot log out.
class ScreenSaverLocker final : public Locker {
public:
    /// `bus`: the session bus (QDBusConnection::sessionBus() honours DBUS_SESSION_BUS_ADDRESS).
    explicit ScreenSaverLocker(QDBusConnection bus);

    std::string name() const override { return "screensaver"; }
    LockerProbe probe() override;
    void lock(Done done) override;
    void logout(Done done) override { done(false, "org.freedesktop.ScreenSaver cannot log out"); }
    std::optional<bool> lockedState() const override { return m_active; }
    void watchState(StateHandler handler) override { m_stateHandler = std::move(handler); }

private:
    QDBusConnection m_bus;
    std::optional<bool> m_active;
    StateHandler m_stateHandler;
    DBusSignalRelay m_relay;
};

} // namespace cpslock::platform
