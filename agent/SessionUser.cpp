// SPDX-License-Identifier: EUPL-1.2
#include "agent/SessionUser.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cpslock::agent {
namespace {

constexpr int kMaxGroups = 65536; // NGROUPS_MAX on Linux

std::vector<char> lookupBuffer() {
    const long hint = ::sysconf(_SC_GETPW_R_SIZE_MAX);
    return std::vector<char>(hint > 0 ? static_cast<std::size_t>(hint) : 16384);
}

} // namespace

SessionUser currentSessionUser() {
    SessionUser user;
    const uid_t uid = ::getuid();
    passwd pw{};
    passwd* found = nullptr;
    std::vector<char> buffer = lookupBuffer();
    int rc = 0;
    while ((rc = ::getpwuid_r(uid, &pw, buffer.data(), buffer.size(), &found)) == ERANGE && buffer.size() < (1U << 20))
        buffer.resize(buffer.size() * 2);
    if (rc != 0 || found == nullptr) {
        user.error =
            "no user name for uid " + std::to_string(uid) + (rc != 0 ? ": " + std::string(std::strerror(rc)) : "");
        return user;
    }
    user.name = pw.pw_name;
    const gid_t primary = pw.pw_gid;

    int count = 64;
    std::vector<gid_t> gids;
    for (;;) {
        gids.resize(static_cast<std::size_t>(count));
        const int wanted = count;
        if (::getgrouplist(user.name.c_str(), primary, gids.data(), &count) >= 0) {
            gids.resize(static_cast<std::size_t>(count));
            break;
        }
        // count now holds the number needed (glibc); guard against a source that does not say.
        if (count <= wanted)
            count = wanted * 2;
        if (count > kMaxGroups) {
            user.error = "too many groups for " + user.name;
            gids.assign(1, primary);
            break;
        }
    }
    for (const gid_t gid : gids) {
        group gr{};
        group* entry = nullptr;
        std::vector<char> grBuffer = lookupBuffer();
        while ((rc = ::getgrgid_r(gid, &gr, grBuffer.data(), grBuffer.size(), &entry)) == ERANGE &&
               grBuffer.size() < (1U << 24))
            grBuffer.resize(grBuffer.size() * 2);
        if (rc == 0 && entry != nullptr && entry->gr_name != nullptr)
            user.groups.emplace_back(entry->gr_name);
    }
    return user;
}

bool groupExists(const std::string& name) {
    group gr{};
    group* entry = nullptr;
    std::vector<char> buffer = lookupBuffer();
    int rc = 0;
    while ((rc = ::getgrnam_r(name.c_str(), &gr, buffer.data(), buffer.size(), &entry)) == ERANGE &&
           buffer.size() < (1U << 24))
        buffer.resize(buffer.size() * 2);
    return rc == 0 && entry != nullptr;
}

} // namespace cpslock::agent
