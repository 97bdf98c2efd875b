#pragma once

#include "core/Locker.h"
#include "platform/linux/DBusSignalRelay.h"
#include "platform/linux/SdBusCaller.h"

#include <QDBusConnection>
#include <QObject>
#include <QString>

#include <optional>

namespace cpslock::platform {

/// Locks through systemd-logind: Session.Lock() on this process's session (the screen locker of the
/// desktop answers logind's Lock signal), logout through Session.Terminate(). The lock state is the
/// session's LockedHint, which the screen locker sets. Lock and Terminate go through sd-bus (written
/// to the socket before lock() returns); the state is watched through QtDBus.
class LogindLocker final : public Locker {
public:
    /// `bus`: the system bus (QDBusConnection::systemBus() honours DBUS_SYSTEM_BUS_ADDRESS).
    explicit LogindLocker(QDBusConnection bus);

    std::string name() const override { return "logind"; }
    LockerProbe probe() override;
    void lock(Done done) override;
    void logout(Done done) override;
    std::optional<bool> lockedState() const override { return m_locked; }
    void watchState(StateHandler handler) override { m_stateHandler = std::move(handler); }

    const QString& sessionPath() const { return m_path; }

private:
    void call(const QString& method, Done done);

    QDBusConnection m_bus;
    QString m_path;
    std::optional<bool> m_locked;
    StateHandler m_stateHandler;
    DBusSignalRelay m_relay;
    SdBusCaller m_caller;
};

} // namespace cpslock::platform
