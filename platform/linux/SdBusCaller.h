// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Result.h"

#include <QSocketNotifier>
#include <QTimer>

#include <functional>
#include <memory>
#include <string>

struct sd_bus;

namespace cpslock::platform {

/// A connection to the system bus through sd-bus, for the one call on the removal → lock path. A call
/// is written to the bus socket by the calling thread before call() returns (QtDBus first hands every
/// message to its own thread: one more thread wake-up between the card leaving and the lock request
/// leaving the agent). Replies are read from the Qt event loop: a QSocketNotifier on the bus fd and a
/// timer for sd-bus's own time-outs. Honours DBUS_SYSTEM_BUS_ADDRESS.
class SdBusCaller {
public:
    /// The call's outcome: done, or the D-Bus error ("name: message").
    using Reply = std::function<void(const Result<void>& outcome)>;

    SdBusCaller();
    ~SdBusCaller();
    SdBusCaller(const SdBusCaller&) = delete;
    SdBusCaller& operator=(const SdBusCaller&) = delete;

    /// Connects (blocking, start-up only). @retval error why the system bus could not be used
    Result<void> open();
    bool isOpen() const { return m_bus != nullptr; }

    /// Calls a method without arguments; `reply` runs on the event loop when the answer (or an error,
    /// or the 5 s time-out) arrives. @retval false the call could not be queued (reply not called)
    bool call(const char* destination, const char* path, const char* interface, const char* method, Reply reply);

private:
    void process();
    void rearm();

    sd_bus* m_bus = nullptr;
    std::unique_ptr<QSocketNotifier> m_readable;
    std::unique_ptr<QSocketNotifier> m_writable;
    QTimer m_timeout;
};

} // namespace cpslock::platform
