// SPDX-License-Identifier: EUPL-1.2
#include "platform/linux/FileSecurity.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace cpslock::platform {

using policy::PathKind;

namespace {

std::string octalMode(std::uint32_t mode) {
    std::string out(4, '0');
    for (std::size_t i = 4; i-- > 0;) {
        out[i] = static_cast<char>('0' + (mode & 7U));
        mode >>= 3;
    }
    return out;
}

bool endsWith(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string errnoText(int err) {
    return std::strerror(err);
}

/// RAII for a plain fd used while reading one file.
struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0)
            ::close(fd);
    }
};

} // namespace

Result<void> FileSecurity::checkOwnership(std::uint32_t uid, std::uint32_t mode) const {
    if (uid != expectedOwner) {
        return fail("owned by uid " + std::to_string(uid) + ", must be owned by " +
                    (expectedOwner == 0 ? std::string("root") : "uid " + std::to_string(expectedOwner)));
    }
    const std::uint32_t perms = mode & 07777U;
    if ((perms & (S_IWGRP | S_IWOTH)) != 0) {
        const char* who = (perms & S_IWGRP) != 0 && (perms & S_IWOTH) != 0 ? "group and others"
                          : (perms & S_IWGRP) != 0                         ? "group"
                                                                           : "others";
        return fail("writable by " + std::string(who) + " (mode " + octalMode(perms) + "); fix with chmod go-w");
    }
    return {};
}

SecureDirectory::SecureDirectory(int fd, Status status, std::string error)
    : m_fd(fd), m_status(status), m_error(std::move(error)) {}

SecureDirectory::SecureDirectory(SecureDirectory&& other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)), m_status(other.m_status), m_error(std::move(other.m_error)) {}

SecureDirectory& SecureDirectory::operator=(SecureDirectory&& other) noexcept {
    if (this != &other) {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = std::exchange(other.m_fd, -1);
        m_status = other.m_status;
        m_error = std::move(other.m_error);
    }
    return *this;
}

SecureDirectory::~SecureDirectory() {
    if (m_fd >= 0)
        ::close(m_fd);
}

SecureDirectory SecureDirectory::open(const std::string& path, const FileSecurity& security) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        const int err = errno;
        if (err == ENOENT)
            return {-1, Status::Missing, "folder does not exist"};
        if (err == ELOOP)
            return {-1, Status::Refused, "folder is a symbolic link (refused)"};
        if (err == ENOTDIR) {
            // O_DIRECTORY wins over O_NOFOLLOW: a symlink to a folder also lands here.
            struct stat st {};
            if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode))
                return {-1, Status::Refused, "folder is a symbolic link (refused)"};
            return {-1, Status::Refused, "not a folder"};
        }
        return {-1, Status::Refused, "cannot open folder: " + errnoText(err)};
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        return {-1, Status::Refused, "cannot stat folder: " + errnoText(err)};
    }
    if (auto owned = security.checkOwnership(st.st_uid, st.st_mode); !owned) {
        ::close(fd);
        return {-1, Status::Refused, "insecure folder: " + owned.error().message};
    }
    return {fd, Status::Ok, {}};
}

namespace {

FileRefusal refused(std::string message) {
    return {FileRefusal::Kind::Refused, std::move(message)};
}

/// The checks on an opened policy file before a byte of it is read.
Result<void> checkOpenedFile(int fd, const FileSecurity& security, std::size_t maxSize) {
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        return fail("cannot stat: " + errnoText(errno));
    if (!S_ISREG(st.st_mode))
        return fail("not a regular file");
    if (auto owned = security.checkOwnership(st.st_uid, st.st_mode); !owned)
        return fail("insecure file: " + owned.error().message);
    if (st.st_size < 0 || static_cast<std::uint64_t>(st.st_size) > maxSize)
        return fail("file too large (" + std::to_string(st.st_size) + " bytes, at most " + std::to_string(maxSize) +
                    ")");
    return {};
}

/// Reads one byte past the cap: the file may grow between fstat and read.
Result<std::string> readAtMost(int fd, std::size_t maxSize) {
    std::string content(maxSize + 1, '\0');
    std::size_t used = 0;
    while (used < content.size()) {
        const ssize_t n = ::read(fd, content.data() + used, content.size() - used);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return fail("read error: " + errnoText(errno));
        }
        if (n == 0)
            break;
        used += static_cast<std::size_t>(n);
    }
    if (used > maxSize)
        return fail("file too large (more than " + std::to_string(maxSize) + " bytes)");
    content.resize(used);
    return content;
}

} // namespace

Result<std::string, FileRefusal> readSecureFile(const SecureDirectory& dir, const std::string& name,
                                                const FileSecurity& security, std::size_t maxSize) {
    if (dir.status() != SecureDirectory::Status::Ok)
        return refused(dir.error());
    // O_NONBLOCK: a FIFO planted under a policy name must not hang the agent.
    Fd file{::openat(dir.fd(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)};
    if (file.fd < 0) {
        const int err = errno;
        if (err == ENOENT)
            return FileRefusal{FileRefusal::Kind::Missing, "file does not exist"};
        if (err == ELOOP)
            return refused("symbolic link refused (policy files must be regular files)");
        return refused("cannot open: " + errnoText(err));
    }
    if (auto checked = checkOpenedFile(file.fd, security, maxSize); !checked)
        return refused(checked.error().message);
    Result<std::string> content = readAtMost(file.fd, maxSize);
    if (!content)
        return refused(content.error().message);
    return std::move(content).value();
}

Result<DropInListing> listDropIns(const SecureDirectory& dir) {
    DropInListing out;
    const int fd = ::dup(dir.fd()); // fdopendir takes ownership
    if (fd < 0)
        return fail(std::string("cannot list folder: ") + std::strerror(errno));
    DIR* d = ::fdopendir(fd);
    if (d == nullptr) {
        const int err = errno;
        ::close(fd);
        return fail(std::string("cannot list folder: ") + std::strerror(err));
    }
    ::rewinddir(d);
    while (const dirent* e = ::readdir(d)) {
        const std::string name = e->d_name;
        if (name == "." || name == "..")
            continue;
        // Dot files are editor or package-manager leftovers, never policy.
        if (endsWith(name, ".toml") && name[0] != '.')
            out.policyFiles.push_back(name);
        else
            out.ignored.push_back(name);
    }
    ::closedir(d);
    std::sort(out.policyFiles.begin(), out.policyFiles.end());
    std::sort(out.ignored.begin(), out.ignored.end());
    return out;
}

bool isSameFolder(const SecureDirectory& a, const SecureDirectory& b) {
    struct stat aSt {};
    struct stat bSt {};
    return a.status() == SecureDirectory::Status::Ok && b.status() == SecureDirectory::Status::Ok &&
           ::fstat(a.fd(), &aSt) == 0 && ::fstat(b.fd(), &bSt) == 0 && aSt.st_dev == bSt.st_dev &&
           aSt.st_ino == bSt.st_ino;
}

Result<void> probeRealPath(const std::string& path, PathKind kind, const FileSecurity& security) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return fail(errno == ENOENT ? std::string("does not exist")
                                    : std::string("cannot stat: ") + std::strerror(errno));
    if (kind == PathKind::Directory && !S_ISDIR(st.st_mode))
        return fail("is not a folder");
    if (kind != PathKind::Directory && !S_ISREG(st.st_mode))
        return fail("is not a regular file");
    if (::access(path.c_str(), kind == PathKind::Executable ? X_OK : R_OK) != 0)
        return fail(kind == PathKind::Executable ? "is not executable" : "is not readable");
    // Whoever can write a trust anchor, a deny-list or a PKCS#11 module owns every session.
    if (auto owned = security.checkOwnership(st.st_uid, st.st_mode); !owned)
        return fail("insecure: " + owned.error().message);
    return {};
}

} // namespace cpslock::platform
