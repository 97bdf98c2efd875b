// SPDX-License-Identifier: EUPL-1.2
#pragma once

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

    /// Connects to a Unix stream socket; nullptr with `error` set when nobody listens there.
    static std::unique_ptr<LineSocket> connectUnix(const std::string& path, std::string& error);

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

} // namespace cpslock::protocol
