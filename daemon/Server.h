// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/AuditSink.h"
#include "daemon/AuthRelay.h"
#include "daemon/Authority.h"

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>

namespace cpslock::daemon {

struct ServerLimits {
    std::size_t maxConnections = 32; ///< in all; beyond it a connection is answered `error busy` and closed
    std::size_t maxPerUser = 4;      ///< per caller uid (root: maxConnections), so one account cannot starve others
    std::chrono::seconds requestTimeout{10}; ///< for the first line
};

/// cpslockd's accept loop: one thread per connection (blocked in reads, never polling), limits on
/// everything a caller controls, SO_PEERCRED for who asks, every decision audited.
class Server {
public:
    Server(int listenFd, Authority& authority, AuditSink& audit, WorkerSettings workers, ServerLimits limits = {});
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Accepts until stop(); then waits for running connections (their workers are killed at the end
    /// of the grace). Returns 0, or 1 when accept() fails for good.
    int run();
    /// Async-signal-safe: wakes run() up to return.
    void stop();

    /// For tests: the worker launcher (default: spawnWorker(workers.path, ...)).
    void setLauncher(WorkerLauncher launch) { m_launch = std::move(launch); }

private:
    void serve(int fd, Caller caller);
    void handle(protocol::LineSocket& socket, const Caller& caller);
    /// The first line as a request; nullopt when there is none (answered and audited here).
    std::optional<protocol::Request> readRequest(protocol::LineSocket& socket, const Caller& caller);
    /// The reply to every verb but auth.
    protocol::Reply answer(const protocol::Request& request, const Caller& caller);
    void auditAuth(const AuthOutcome& outcome, const protocol::Request& request, const Caller& caller);
    void auditReply(const protocol::Request& request, const protocol::Reply& reply, const Caller& caller);
    void auditRecord(AuditRecord record);
    bool admit(const Caller& caller);
    void release(const Caller& caller);

    int m_listenFd;
    int m_stopFd = -1;
    Authority& m_authority;
    AuditSink& m_audit;
    WorkerSettings m_workers;
    ServerLimits m_limits;
    WorkerLauncher m_launch;

    std::mutex m_mutex; ///< the counters and the audit sink
    std::condition_variable m_idle;
    std::size_t m_active = 0;
    std::map<uid_t, std::size_t> m_perUser;
};

} // namespace cpslock::daemon
