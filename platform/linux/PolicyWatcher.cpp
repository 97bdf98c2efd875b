// SPDX-License-Identifier: EUPL-1.2
#include "platform/linux/PolicyWatcher.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace cpslock::platform {

namespace {

// IN_CLOSE_WRITE rather than IN_MODIFY: a file being written is reported once it is closed.
constexpr std::uint32_t kMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_ATTRIB |
                                IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;

std::string parentOf(const std::string& path) {
    const std::filesystem::path p(path);
    const std::string parent = p.parent_path().string();
    return parent.empty() ? std::string(".") : parent;
}

std::string nameOf(const std::string& path) {
    return std::filesystem::path(path).filename().string();
}

bool isDirectory(const std::string& path) {
    std::error_code ec;
    return std::filesystem::is_directory(path, ec);
}

} // namespace

Result<std::unique_ptr<PolicyWatcher>> PolicyWatcher::open(policy::PolicyLocation location) {
    const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0)
        return fail(std::string("inotify_init1: ") + std::strerror(errno));
    return std::unique_ptr<PolicyWatcher>(new PolicyWatcher(std::move(location), fd));
}

PolicyWatcher::PolicyWatcher(policy::PolicyLocation location, int fd) : m_location(std::move(location)), m_fd(fd) {
    arm();
}

PolicyWatcher::~PolicyWatcher() {
    if (m_fd >= 0)
        ::close(m_fd);
}

void PolicyWatcher::arm() {
    for (const auto& [wd, watch] : m_watches)
        ::inotify_rm_watch(m_fd, wd);
    m_watches.clear();

    // Folder -> what matters in it; a folder that does not exist yet is watched through its parent.
    std::map<std::string, Watch> wanted;
    auto want = [&](const std::string& dir, const std::string& name, bool tomlFiles) {
        Watch& w = wanted[dir];
        w.path = dir;
        if (!name.empty())
            w.names.insert(name);
        w.tomlFiles = w.tomlFiles || tomlFiles;
    };
    const std::string mainDir = parentOf(m_location.mainFile);
    if (isDirectory(mainDir))
        want(mainDir, nameOf(m_location.mainFile), false);
    else
        want(parentOf(mainDir), nameOf(mainDir), false);
    if (isDirectory(m_location.dropInDir))
        want(m_location.dropInDir, {}, true);
    // The parent sees the drop-in folder appear, vanish, be renamed or change mode.
    want(parentOf(m_location.dropInDir), nameOf(m_location.dropInDir), false);

    for (auto& [dir, watch] : wanted) {
        const int wd = ::inotify_add_watch(m_fd, dir.c_str(), kMask);
        if (wd < 0)
            continue; // a folder missing right now: its parent's watch or a later re-arm covers it
        Watch& existing = m_watches[wd];
        existing.path = watch.path;
        existing.names.insert(watch.names.begin(), watch.names.end());
        existing.tomlFiles = existing.tomlFiles || watch.tomlFiles;
    }
}

bool PolicyWatcher::isRelevant(const Watch& watch, const std::string& name) const {
    if (watch.names.count(name) != 0)
        return true;
    return watch.tomlFiles && name.size() > 5 && name[0] != '.' && name.compare(name.size() - 5, 5, ".toml") == 0;
}

bool PolicyWatcher::readEvents() {
    if (m_fd < 0)
        return false;
    bool changed = false;
    bool rearm = false;
    alignas(inotify_event) std::array<char, std::size_t{16} * 1024U> buffer{};
    for (;;) {
        const ssize_t n = ::read(m_fd, buffer.data(), buffer.size());
        if (n < 0) {
            if (errno == EINTR)
                continue;
            break; // EAGAIN: drained
        }
        if (n == 0)
            break;
        for (std::size_t offset = 0; offset + sizeof(inotify_event) <= static_cast<std::size_t>(n);) {
            inotify_event event{};
            std::memcpy(&event, buffer.data() + offset, sizeof(event));
            std::string name;
            if (event.len > 0) {
                const char* raw = buffer.data() + offset + sizeof(inotify_event);
                name.assign(raw, ::strnlen(raw, event.len));
            }
            offset += sizeof(inotify_event) + event.len;

            if ((event.mask & IN_Q_OVERFLOW) != 0) {
                changed = rearm = true; // events lost: assume the worst
                continue;
            }
            auto it = m_watches.find(event.wd);
            if (it == m_watches.end())
                continue; // includes IN_IGNORED for the watches arm() itself removed
            if ((event.mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) != 0) {
                changed = rearm = true;
                continue;
            }
            if (name.empty()) {
                changed = true; // the watched folder itself (mode, owner)
                continue;
            }
            if (isRelevant(it->second, name)) {
                // A file just created and still empty is being written: its IN_CLOSE_WRITE will
                // follow. Reporting it now would make the owner refuse an "empty file" for nothing.
                if ((event.mask & IN_CREATE) != 0 && (event.mask & IN_ISDIR) == 0) {
                    struct stat st {};
                    const std::string path = it->second.path + "/" + name;
                    if (::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0)
                        continue;
                }
                changed = true;
                if ((event.mask & IN_ISDIR) != 0)
                    rearm = true; // a watched folder appeared or went away
            }
        }
    }
    if (rearm)
        arm();
    return changed;
}

bool PolicyWatcher::waitForChange(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (readEvents())
            return true;
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || m_fd < 0)
            return false;
        pollfd p{m_fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) < 0 && errno != EINTR)
            return false;
    }
}

} // namespace cpslock::platform
