// SPDX-License-Identifier: EUPL-1.2
#include "pam/DaemonChannel.h"

#include "protocol/DaemonClient.h"

namespace cpslock::pam {
namespace {

class DaemonChannel final : public AuthChannel {
public:
    explicit DaemonChannel(std::unique_ptr<protocol::LineSocket> socket) : m_socket(std::move(socket)) {}

    ReadStatus readLine(std::string& line, std::chrono::milliseconds timeout) override {
        return m_socket->readLine(line, timeout);
    }
    bool sendSecret(const char* data, std::size_t size) override { return m_socket->sendSecret(data, size); }

private:
    std::unique_ptr<protocol::LineSocket> m_socket;
};

} // namespace

Result<std::unique_ptr<AuthChannel>> connectDaemon(const std::string& socketPath, const protocol::Request& request) {
    auto socket = protocol::LineSocket::connectUnix(socketPath);
    if (!socket)
        return socket.error();
    if (!(*socket)->writeAll(protocol::formatRequest(request)))
        return fail("cpslockd closed the connection");
    return std::unique_ptr<AuthChannel>(std::make_unique<DaemonChannel>(std::move(*socket)));
}

Result<protocol::Reply> askDaemon(const std::string& socketPath, const protocol::Request& request,
                                  std::chrono::milliseconds timeout) {
    return protocol::DaemonClient(socketPath, timeout).call(request);
}

} // namespace cpslock::pam
