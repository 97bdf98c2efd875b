// SPDX-License-Identifier: EUPL-1.2
#include "core/FileRead.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cpslock {
namespace {

FileReadError unreadable(std::string message) {
    return FileReadError{FileReadError::Kind::Unreadable, std::move(message)};
}

/// The checks and the read, on a descriptor the caller opened and closes.
Result<std::string, FileReadError> readOpened(int fd, std::size_t maxBytes) {
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return unreadable("is not a regular file");
    if (static_cast<std::size_t>(st.st_size) > maxBytes)
        return unreadable("larger than " + std::to_string(maxBytes) + " bytes (refused)");
    std::string text(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = read(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += static_cast<std::size_t>(n);
    }
    if (done != text.size())
        return unreadable("read error (the file changed while it was read)");
    return text;
}

} // namespace

Result<std::string, FileReadError> readRegularFile(const std::string& path, std::size_t maxBytes) {
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        const int error = errno;
        if (error == ENOENT)
            return FileReadError{FileReadError::Kind::Missing, "cannot read: " + std::string(std::strerror(error))};
        return unreadable(error == ELOOP ? std::string("is a symbolic link (refused)")
                                         : "cannot read: " + std::string(std::strerror(error)));
    }
    Result<std::string, FileReadError> result = readOpened(fd, maxBytes);
    close(fd);
    return result;
}

} // namespace cpslock
