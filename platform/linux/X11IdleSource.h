// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/IdleSource.h"

#include <string>

namespace cpslock::platform {

/// Idle time from the X server's XScreenSaver extension (XScreenSaverQueryInfo): one round trip per
/// sample, asked only when the SessionGuard needs a sample.
class X11IdleSource final : public IdleSource {
public:
    /// `display`: the X display name; empty means $DISPLAY.
    explicit X11IdleSource(std::string display = {});
    ~X11IdleSource() override;
    X11IdleSource(const X11IdleSource&) = delete;
    X11IdleSource& operator=(const X11IdleSource&) = delete;

    std::string name() const override { return "x11"; }
    Result<void> probe() override;
    std::optional<std::chrono::milliseconds> idleTime() override;

private:
    std::string m_displayName;
    void* m_display = nullptr; ///< Display*, kept out of the header (Xlib's macros clash with Qt's)
    void* m_info = nullptr;    ///< XScreenSaverInfo*
};

} // namespace cpslock::platform
