// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Locker.h"
#include "platform/linux/DBusSignalRelay.h"

#include <QDBusConnection>
#include <QDBusServiceWatcher>

#include <memory>

#include <optional>

namespace cpslock::platform {

/// Locks through org.freedesktop.ScreenSaver on the session bus (KDE, Xfce, Cinnamon, xscreensaver's
/// bridge...): Lock(), GetActive() and the ActiveChanged signal. It cannot log out. Its state is only a
/// fallback (StateRole::Fallback): a saver may just blank the screen, so where logind knows the
/// session's LockedHint, ActiveChanged is not taken as "locked". The service name is followed: a
/// desktop started after the agent, or restarted, is picked up and ActiveChanged re-armed.
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
    StateRole stateRole() const override { return StateRole::Fallback; }
    void watchAvailability(AvailabilityHandler handler) override { m_availability = std::move(handler); }

private:
    LockerProbe probeNow();

    QDBusConnection m_bus;
    bool m_usable = false;
    AvailabilityHandler m_availability;
    std::unique_ptr<QDBusServiceWatcher> m_watcher;
    std::optional<bool> m_active;
    StateHandler m_stateHandler;
    DBusSignalRelay m_relay;
};

} // namespace cpslock::platform
