// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include <cerrno>
#include <cstddef>
#include <string_view>

#include <sys/socket.h>
#include <unistd.h>

namespace cpslock {

/// How writeAll hands bytes to the kernel.
enum class WriteCall {
    Write,        ///< write(): any descriptor (pipes in tests)
    SendNoSignal, ///< send(MSG_NOSIGNAL): a socket whose peer may be gone, without SIGPIPE
};

/// Writes all `size` bytes, through short writes and EINTR; false when the peer is gone or on an error.
inline bool writeAll(int fd, const void* data, std::size_t size, WriteCall call) noexcept {
    const auto* bytes = static_cast<const char*>(data);
    std::size_t done = 0;
    while (done < size) {
        const ssize_t n = call == WriteCall::Write ? write(fd, bytes + done, size - done)
                                                   : send(fd, bytes + done, size - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

inline bool writeAll(int fd, std::string_view data, WriteCall call) noexcept {
    return writeAll(fd, data.data(), data.size(), call);
}

} // namespace cpslock
