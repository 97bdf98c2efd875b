// SPDX-License-Identifier: EUPL-1.2
#include "protocol/LineSocket.h"

#include "core/SecureBuffer.h"
#include "core/WriteAll.h"
#include "protocol/Fields.h"

#include <array>
#include <cerrno>
#include <cstring>

#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

namespace cpslock::protocol {
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

int pollTimeoutMs(milliseconds left) {
    if (left.count() <= 0)
        return 0;
    return left.count() > 60'000 ? 60'000 : static_cast<int>(left.count());
}

milliseconds timeLeft(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    return left.count() > 0 ? left : milliseconds(0);
}

LineSocket::~LineSocket() {
    close();
}

void LineSocket::close() {
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
}

Result<std::unique_ptr<LineSocket>> LineSocket::connectUnix(const std::string& path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof address.sun_path)
        return fail("socket path empty or too long");
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return fail(std::string("socket: ") + std::strerror(errno));
    int rc = 0;
    do {
        rc = connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
        const int why = errno;
        ::close(fd);
        return fail(path + ": " + std::strerror(why));
    }
    return std::make_unique<LineSocket>(fd);
}

LineSocket::ReadStatus LineSocket::readLine(std::string& line, milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        const auto newline = m_buffer.find('\n');
        if (newline != std::string::npos) {
            line = m_buffer.substr(0, newline);
            m_buffer.erase(0, newline + 1);
            return line.size() > kMaxLineLength ? ReadStatus::TooLong : ReadStatus::Line;
        }
        if (m_buffer.size() > kMaxLineLength)
            return ReadStatus::TooLong;
        if (m_fd < 0)
            return ReadStatus::Closed;
        pollfd pfd{m_fd, POLLIN, 0};
        const int ready = poll(&pfd, 1, pollTimeoutMs(timeLeft(deadline)));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready < 0)
            return ReadStatus::Error;
        if (ready == 0) {
            if (Clock::now() >= deadline)
                return ReadStatus::Timeout;
            continue;
        }
        std::array<char, 1024> chunk{};
        const ssize_t n = read(m_fd, chunk.data(), chunk.size());
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0)
            return errno == ECONNRESET ? ReadStatus::Closed : ReadStatus::Error;
        if (n == 0)
            return ReadStatus::Closed; // a partial last line without '\n' is not a line
        m_buffer.append(chunk.data(), static_cast<std::size_t>(n));
    }
}

LineSocket::ReadStatus LineSocket::readSecretLine(SecureBuffer& secret, milliseconds timeout) {
    secret.clear();
    if (!m_buffer.empty()) {
        // The secret must not be in m_buffer: a peer that sends before being asked is refused.
        explicit_bzero(m_buffer.data(), m_buffer.size());
        m_buffer.clear();
        return ReadStatus::Error;
    }
    if (m_fd < 0)
        return ReadStatus::Closed;
    pollfd pfd{m_fd, POLLIN, 0};
    int ready = 0;
    do {
        ready = poll(&pfd, 1, pollTimeoutMs(timeout));
    } while (ready < 0 && errno == EINTR);
    if (ready == 0)
        return ReadStatus::Timeout;
    if (ready < 0)
        return ReadStatus::Error;
    // The line follows in the same message; a peer that stalls inside it hits this limit.
    timeval limit{5, 0};
    setsockopt(m_fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    const auto status = secret.readLine(m_fd);
    timeval none{0, 0};
    setsockopt(m_fd, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof none);
    switch (status) {
    case SecureBuffer::ReadStatus::Ok: return ReadStatus::Line;
    case SecureBuffer::ReadStatus::TooLong: return ReadStatus::TooLong;
    case SecureBuffer::ReadStatus::EndOfFile: return ReadStatus::Closed;
    case SecureBuffer::ReadStatus::IoError: break;
    }
    return secret.errorNumber() == EAGAIN ? ReadStatus::Timeout : ReadStatus::Error;
}

bool LineSocket::writeAll(std::string_view data) {
    if (m_fd < 0)
        return data.empty();
    return cpslock::writeAll(m_fd, data, WriteCall::SendNoSignal);
}

bool LineSocket::sendSecret(const char* data, std::size_t size) {
    if (m_fd < 0)
        return false;
    char newline = '\n';
    std::array<iovec, 2> parts{iovec{const_cast<char*>(data), size}, iovec{&newline, 1}};
    const std::size_t total = size + 1;
    std::size_t sent = 0;
    while (sent < total) {
        // Skip what was already sent (a short write on a stream socket is unlikely but legal).
        std::size_t skip = sent;
        std::array<iovec, 2> rest{};
        std::size_t count = 0;
        for (const auto& part : parts) {
            if (skip >= part.iov_len) {
                skip -= part.iov_len;
                continue;
            }
            rest[count++] = iovec{static_cast<char*>(part.iov_base) + skip, part.iov_len - skip};
            skip = 0;
        }
        msghdr message{};
        message.msg_iov = rest.data();
        message.msg_iovlen = count;
        const ssize_t n = sendmsg(m_fd, &message, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        sent += static_cast<std::size_t>(n);
    }
    return true;
}

void LineSocket::shutdownWrite() {
    if (m_fd >= 0)
        shutdown(m_fd, SHUT_WR);
}

std::string_view LineSocket::statusName(ReadStatus status) {
    switch (status) {
    case ReadStatus::Line: return "line";
    case ReadStatus::Timeout: return "timeout";
    case ReadStatus::Closed: return "closed without an answer";
    case ReadStatus::TooLong: return "line too long";
    case ReadStatus::Error: return "read error";
    }
    return "?";
}

} // namespace cpslock::protocol
