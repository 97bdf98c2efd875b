// SPDX-License-Identifier: EUPL-1.2
#include "platform/linux/X11IdleSource.h"

#include <X11/Xlib.h>
#include <X11/extensions/scrnsaver.h>

#include <cstdlib>

namespace cpslock::platform {
namespace {
Display* dpy(void* p) {
    return static_cast<Display*>(p);
}
} // namespace

X11IdleSource::X11IdleSource(std::string display) : m_displayName(std::move(display)) {}

X11IdleSource::~X11IdleSource() {
    if (m_info != nullptr)
        XFree(m_info);
    if (m_display != nullptr)
        XCloseDisplay(dpy(m_display));
}

Result<void> X11IdleSource::probe() {
    const char* name = m_displayName.empty() ? std::getenv("DISPLAY") : m_displayName.c_str();
    if (name == nullptr || *name == '\0')
        return fail("no X display (DISPLAY unset)");
    if (m_display == nullptr)
        m_display = XOpenDisplay(name);
    if (m_display == nullptr)
        return fail(std::string("cannot open X display ") + name);
    int eventBase = 0;
    int errorBase = 0;
    if (XScreenSaverQueryExtension(dpy(m_display), &eventBase, &errorBase) == 0)
        return fail(std::string("X display ") + name + " has no MIT-SCREEN-SAVER extension");
    if (m_info == nullptr)
        m_info = XScreenSaverAllocInfo();
    if (m_info == nullptr)
        return fail("XScreenSaverAllocInfo failed");
    return {};
}

std::optional<std::chrono::milliseconds> X11IdleSource::idleTime() {
    if (m_display == nullptr || m_info == nullptr)
        return std::nullopt;
    auto* info = static_cast<XScreenSaverInfo*>(m_info);
    if (XScreenSaverQueryInfo(dpy(m_display), DefaultRootWindow(dpy(m_display)), info) == 0)
        return std::nullopt;
    return std::chrono::milliseconds(info->idle);
}

} // namespace cpslock::platform
