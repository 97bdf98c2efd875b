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

std::unique_ptr<AuthChannel> connectDaemon(const std::string& socketPath, const protocol::Request& request,
                                           std::string& error) {
    auto socket = protocol::LineSocket::connectUnix(socketPath, error);
    if (!socket)
        return nullptr;
    if (!socket->writeAll(protocol::formatRequest(request))) {
        error = "cpslockd closed the connection";
        return nullptr;
    }
    return std::make_unique<DaemonChannel>(std::move(socket));
}

std::optional<protocol::Reply> askDaemon(const std::string& socketPath, const protocol::Request& request,
                                         std::chrono::milliseconds timeout, std::string& error) {
    const protocol::DaemonClient client(socketPath, timeout);
    auto outcome = client.call(request);
    error = outcome.error;
    return outcome.reply;
}

} // namespace cpslock::pam
