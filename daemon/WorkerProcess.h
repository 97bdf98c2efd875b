// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Result.h"
#include "protocol/LineSocket.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <signal.h>

namespace cpslock::daemon {

/// Whether `path` is fit to run as the card worker: absolute, a regular executable file, and it and
/// every folder above it owned by root and not writable by group or others (a root-owned sticky
/// folder such as /tmp is accepted above a root-owned one). Else why not.
Result<void> checkWorkerExecutable(const std::string& path);

/// A running card worker, seen from cpslockd: its lines, and its end.
class WorkerChannel {
public:
    using ReadStatus = protocol::LineSocket::ReadStatus;
    struct Exit {
        bool exited = false; ///< ended by exit() (else killed by a signal)
        int code = -1;       ///< exit code, or the signal number
    };

    virtual ~WorkerChannel() = default;
    /// One line without its '\n'; waits at most `timeout`.
    virtual ReadStatus readLine(std::string& line, std::chrono::milliseconds timeout) = 0;
    /// Writes the secret and '\n'; false if the worker is gone. Never raises SIGPIPE.
    virtual bool sendSecret(const char* data, std::size_t size) = 0;
    /// Closes the channel, waits up to `grace` for the worker to end, then SIGKILLs and reaps it.
    virtual Exit finish(std::chrono::milliseconds grace) = 0;
};

/// Starts `path` with `args` through posix_spawn with an EMPTY environment (nothing a caller or the
/// service manager set reaches the card stack: settings come from the root-owned policy), stdin and
/// stdout one end of a Unix socket pair, stderr /dev/null, every other descriptor closed, signal mask
/// and dispositions reset, in its own session.
Result<std::unique_ptr<WorkerChannel>> spawnWorker(const std::string& path, const std::vector<std::string>& args);

/// While alive, SIGCHLD has its default disposition, so a worker can be reaped with its exit status.
class ChildSignalGuard {
public:
    ChildSignalGuard();
    ~ChildSignalGuard();
    ChildSignalGuard(const ChildSignalGuard&) = delete;
    ChildSignalGuard& operator=(const ChildSignalGuard&) = delete;

private:
    struct sigaction m_saved {};
    bool m_restore = false;
};

} // namespace cpslock::daemon
