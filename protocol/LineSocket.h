// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Result.h"

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace cpslock {
class SecureBuffer;
}

namespace cpslock::protocol {

/// A connected stream socket that carries protocol lines (cpslockd ↔ PAM module, agent, CLI;
/// cpslockd ↔ worker). Owns the descriptor. Writes never raise SIGPIPE (MSG_NOSIGNAL).
class LineSocket {
public:
    enum class ReadStatus { Line, Timeout, Closed, TooLong, Error };

    explicit LineSocket(int fd) noexcept : m_fd(fd) {}
    ~LineSocket();
    LineSocket(const LineSocket&) = delete;
    LineSocket& operator=(const LineSocket&) = delete;

    /// Connects to a Unix stream socket; an error when nobody listens there.
    static Result<std::unique_ptr<LineSocket>> connectUnix(const std::string& path);

    /// One line without its '\n', waiting at most `timeout` in all.
    ReadStatus readLine(std::string& line, std::chrono::milliseconds timeout);
    /// The next line straight into `secret` (nothing of it in a std::string), waiting at most
    /// `timeout`. Error when a line was already buffered (the peer sent it before being asked).
    ReadStatus readSecretLine(SecureBuffer& secret, std::chrono::milliseconds timeout);
    /// Writes all of `data`; false when the peer is gone.
    bool writeAll(std::string_view data);
    /// Writes the secret and '\n' in one message; false when the peer is gone.
    bool sendSecret(const char* data, std::size_t size);
    /// End of file for the peer's reads; the descriptor stays open for reading.
    void shutdownWrite();
    void close();

    int fd() const noexcept { return m_fd; }
    bool hasBufferedData() const noexcept { return !m_buffer.empty(); }
    static std::string_view statusName(ReadStatus status);

private:
    int m_fd;
    std::string m_buffer;
};

/// The time left until `deadline`, 0 once it has passed: a readLine() timeout.
std::chrono::milliseconds timeLeft(std::chrono::steady_clock::time_point deadline);
/// `left` as a poll() timeout: 0 once passed, at most a minute (callers loop until their deadline).
int pollTimeoutMs(std::chrono::milliseconds left);

/// One line from `channel` (anything with LineSocket's readLine) before `deadline`; else the name of
/// what happened instead (statusName: "timeout", "closed without an answer", ...).
template <class Channel>
Result<std::string> readLineBefore(Channel& channel, std::chrono::steady_clock::time_point deadline) {
    std::string line;
    const auto status = channel.readLine(line, timeLeft(deadline));
    if (status != LineSocket::ReadStatus::Line)
        return fail(std::string(LineSocket::statusName(status)));
    return line;
}

} // namespace cpslock::protocol
