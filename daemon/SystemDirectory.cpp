// SPDX-License-Identifier: EUPL-1.2
#include "daemon/SystemDirectory.h"

#include <vector>

#include <pwd.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

namespace cpslock::daemon {

std::optional<uid_t> SystemDirectory::userId(const std::string& user) {
    const long hint = sysconf(_SC_GETPW_R_SIZE_MAX);
    std::vector<char> buffer(hint > 0 ? static_cast<std::size_t>(hint) : 16384);
    passwd entry{};
    passwd* found = nullptr;
    if (getpwnam_r(user.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 || found == nullptr)
        return std::nullopt;
    return found->pw_uid;
}

std::optional<uid_t> SystemDirectory::sessionOwner(const std::string& id) {
    sd_bus* bus = nullptr;
    if (sd_bus_open_system(&bus) < 0)
        return std::nullopt;
    std::optional<uid_t> owner;
    sd_bus_error error = SD_BUS_ERROR_NULL;
    sd_bus_message* reply = nullptr;
    const char* path = nullptr;
    if (sd_bus_call_method(bus, "org.freedesktop.login1", "/org/freedesktop/login1", "org.freedesktop.login1.Manager",
                           "GetSession", &error, &reply, "s", id.c_str()) >= 0 &&
        sd_bus_message_read(reply, "o", &path) >= 0 && path != nullptr) {
        const std::string sessionPath(path);
        sd_bus_message* property = nullptr;
        std::uint32_t uid = 0;
        const char* userPath = nullptr;
        if (sd_bus_get_property(bus, "org.freedesktop.login1", sessionPath.c_str(), "org.freedesktop.login1.Session",
                                "User", &error, &property, "(uo)") >= 0 &&
            sd_bus_message_read(property, "(uo)", &uid, &userPath) >= 0)
            owner = static_cast<uid_t>(uid);
        sd_bus_message_unref(property);
    }
    sd_bus_message_unref(reply);
    sd_bus_error_free(&error);
    sd_bus_flush_close_unref(bus);
    return owner;
}

} // namespace cpslock::daemon
