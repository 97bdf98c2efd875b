// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Locker.h"
#include "platform/linux/DBusSignalRelay.h"
#include "platform/linux/SdBusCaller.h"

#include <QDBusConnection>
#include <QDBusServiceWatcher>
#include <QObject>
#include <QString>
#include <QTimer>

#include <chrono>
#include <memory>
#include <optional>

namespace cpslock::platform {

/// Locks through systemd-logind: Session.Lock() on this process's session (the screen locker of the
/// desktop answers logind's Lock signal), logout through Session.Terminate(). The lock state is the
/// session's LockedHint, which the screen locker sets. Lock and Terminate go through sd-bus (written
/// to the socket before lock() returns); the state is watched through QtDBus.
///
/// logind can be away (restarting, not yet started): the locker follows org.freedesktop.login1 on the
/// system bus (NameOwnerChanged). When it leaves, the locker is unusable and its state unknown; when it
/// (re)appears, the session is looked up again, LockedHint read again and its PropertiesChanged
/// subscription re-armed, then the change is reported (watchAvailability). While logind is on the bus
/// but does not know the session yet, the lookup is retried with a backoff (kRetryFirst .. kRetryMax).
class LogindLocker final : public Locker {
public:
    static constexpr std::chrono::milliseconds kRetryFirst{500};
    static constexpr std::chrono::milliseconds kRetryMax{30000};

    /// `bus`: the system bus (QDBusConnection::systemBus() honours DBUS_SYSTEM_BUS_ADDRESS).
    explicit LogindLocker(QDBusConnection bus);

    std::string name() const override { return "logind"; }
    LockerProbe probe() override;
    void lock(Done done) override;
    void logout(Done done) override;
    std::optional<bool> lockedState() const override { return m_locked; }
    void watchState(StateHandler handler) override { m_stateHandler = std::move(handler); }
    StateRole stateRole() const override { return StateRole::Primary; }
    void watchAvailability(AvailabilityHandler handler) override { m_availability = std::move(handler); }

    const QString& sessionPath() const { return m_path; }

private:
    LockerProbe probeNow();
    void onOwnerChanged(const QString& newOwner);
    void retryLookup();
    void call(const QString& method, Done done);

    QDBusConnection m_bus;
    QString m_path;
    std::optional<bool> m_locked;
    bool m_usable = false;
    StateHandler m_stateHandler;
    AvailabilityHandler m_availability;
    DBusSignalRelay m_relay;
    SdBusCaller m_caller;
    std::unique_ptr<QDBusServiceWatcher> m_watcher;
    QTimer m_retry;
    std::chrono::milliseconds m_retryDelay = kRetryFirst;
};

} // namespace cpslock::platform
