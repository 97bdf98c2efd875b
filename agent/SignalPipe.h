// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Result.h"

#include <QSocketNotifier>

#include <functional>
#include <memory>

class QObject;

namespace cpslock::agent {

/// SIGTERM and SIGINT as events of the Qt loop (the self-pipe trick): the handler only writes a byte,
/// the loop reads it and runs the agent's shutdown. One per process; it lives until the process exits
/// (a signal may arrive at any moment, so its sockets are never closed).
///
///     SignalPipe signals;
///     if (const auto installed = signals.install(); !installed) ...   // "socketpair: …"
///     signals.onSignal(&app, [&] { core.shutdown(...); });
class SignalPipe {
public:
    SignalPipe() = default;
    SignalPipe(const SignalPipe&) = delete;
    SignalPipe& operator=(const SignalPipe&) = delete;

    /// Creates the socket pair and installs the handlers for SIGTERM and SIGINT; ignores SIGPIPE.
    Result<void> install();
    /// Calls `handler` on `context`'s thread whenever signals arrived (several may come as one call).
    void onSignal(QObject* context, std::function<void()> handler);

private:
    int m_readFd = -1;
    std::unique_ptr<QSocketNotifier> m_notifier;
};

} // namespace cpslock::agent
