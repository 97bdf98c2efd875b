// SPDX-License-Identifier: EUPL-1.2
#include "core/FileRead.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cpslock {

FileReadResult readRegularFile(const std::string& path, std::size_t maxBytes) {
    FileReadResult result;
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        result.missing = errno == ENOENT;
        result.error = errno == ELOOP ? std::string("is a symbolic link (refused)")
                                      : "cannot read: " + std::string(std::strerror(errno));
        return result;
    }
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        result.error = "is not a regular file";
        return result;
    }
    if (static_cast<std::size_t>(st.st_size) > maxBytes) {
        close(fd);
        result.error = "larger than " + std::to_string(maxBytes) + " bytes (refused)";
        return result;
    }
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
    close(fd);
    if (done != text.size()) {
        result.error = "read error (the file changed while it was read)";
        return result;
    }
    result.text = std::move(text);
    return result;
}

} // namespace cpslock
