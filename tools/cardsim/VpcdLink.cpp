// SPDX-License-Identifier: EUPL-1.2
#include "tools/cardsim/VpcdLink.h"

#include "core/WriteAll.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace cpslock::cardsim {
namespace {
constexpr std::size_t kMaxMessage = 65535;

void quickAck(int fd) {
    // Debian's vpcd writes the length and the payload separately; without re-arming QUICKACK after
    // every receive each APDU waits ~40 ms for a delayed ACK (docs/reference/test-rig.md).
    const int on = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &on, sizeof on);
}
} // namespace

VpcdLink::~VpcdLink() {
    close();
}

Result<void> VpcdLink::connect(const std::string& host, std::uint16_t port) {
    close();
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const std::string service = std::to_string(port);
    if (const int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0)
        return fail("cannot resolve " + host + ": " + gai_strerror(rc));
    std::string error = "no address for " + host;
    for (addrinfo* a = found; a; a = a->ai_next) {
        const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0)
            continue;
        if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
            const int on = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
            quickAck(fd);
            m_fd = fd;
            break;
        }
        error = "cannot connect to vpcd at " + host + ":" + service + ": " + std::strerror(errno);
        ::close(fd);
    }
    freeaddrinfo(found);
    m_inbox.clear();
    if (m_fd < 0)
        return fail(error);
    return {};
}

void VpcdLink::close() {
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
    m_inbox.clear();
}

bool VpcdLink::receive() {
    std::uint8_t buffer[4096];
    const ssize_t n = ::recv(m_fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n == 0)
        return false;
    if (n < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    quickAck(m_fd);
    m_inbox.insert(m_inbox.end(), buffer, buffer + n);
    return true;
}

std::optional<VpcdMessage> VpcdLink::next() {
    if (m_inbox.size() < 2)
        return std::nullopt;
    const std::size_t length = (static_cast<std::size_t>(m_inbox[0]) << 8) | m_inbox[1];
    if (m_inbox.size() < 2 + length)
        return std::nullopt;
    Bytes body(m_inbox.begin() + 2, m_inbox.begin() + 2 + static_cast<std::ptrdiff_t>(length));
    m_inbox.erase(m_inbox.begin(), m_inbox.begin() + 2 + static_cast<std::ptrdiff_t>(length));

    VpcdMessage m;
    if (body.size() == 1) {
        m.control = body[0];
        switch (body[0]) {
        case 0x00: m.kind = VpcdMessage::Kind::PowerOff; break;
        case 0x01: m.kind = VpcdMessage::Kind::PowerOn; break;
        case 0x02: m.kind = VpcdMessage::Kind::Reset; break;
        case 0x04: m.kind = VpcdMessage::Kind::GetAtr; break;
        default: m.kind = VpcdMessage::Kind::UnknownControl; break;
        }
    } else {
        m.kind = VpcdMessage::Kind::Apdu;
        m.apdu = std::move(body);
    }
    return m;
}

bool VpcdLink::send(const Bytes& payload) {
    if (payload.size() > kMaxMessage)
        return false;
    // One write for length + payload, so vpcd never waits for the second half.
    Bytes frame{static_cast<std::uint8_t>(payload.size() >> 8), static_cast<std::uint8_t>(payload.size() & 0xFF)};
    frame.insert(frame.end(), payload.begin(), payload.end());
    return writeAll(m_fd, frame.data(), frame.size(), WriteCall::SendNoSignal);
}

} // namespace cpslock::cardsim
