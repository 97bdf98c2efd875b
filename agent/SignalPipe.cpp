// SPDX-License-Identifier: EUPL-1.2
#include "agent/SignalPipe.h"

#include <QObject>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

namespace cpslock::agent {
namespace {

int g_signalFd = -1;

void onSignalCaught(int) {
    const char byte = 1;
    // Only async-signal-safe calls here: the event loop reads the byte.
    [[maybe_unused]] const auto n = ::write(g_signalFd, &byte, 1);
}

} // namespace

Result<void> SignalPipe::install() {
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
        return fail(std::string("socketpair: ") + std::strerror(errno));
    g_signalFd = fds[0];
    m_readFd = fds[1];
    struct sigaction sa {};
    sa.sa_handler = onSignalCaught;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    // A closed stderr (the journal restarting) must not kill the agent: that would fail open.
    (void)std::signal(SIGPIPE, SIG_IGN);
    return {};
}

void SignalPipe::onSignal(QObject* context, std::function<void()> handler) {
    m_notifier = std::make_unique<QSocketNotifier>(m_readFd, QSocketNotifier::Read);
    QObject::connect(m_notifier.get(), &QSocketNotifier::activated, context,
                     [fd = m_readFd, handler = std::move(handler)] {
                         char bytes[16];
                         [[maybe_unused]] const auto n = ::read(fd, bytes, sizeof bytes);
                         handler();
                     });
}

} // namespace cpslock::agent
