// SPDX-License-Identifier: EUPL-1.2
#include "daemon/Server.h"
#include "core/Version.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <thread>

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

namespace cpslock::daemon {
namespace {

using protocol::LineSocket;
using protocol::Reply;
using protocol::Verb;

std::string callerText(const Caller& caller) {
    return std::to_string(caller.uid);
}

/// The audit kind of a verb's success, empty for verbs whose success is not audited.
std::string successKind(Verb verb) {
    switch (verb) {
    case Verb::Attach: return "session-attached";
    case Verb::SessionLocked: return "session-retired";
    case Verb::ReportLost: return "card-reported-lost";
    default: return {};
    }
}

AuditRecord record(std::string kind, AuditRecord::Severity severity, std::string message, const Caller& caller) {
    AuditRecord r;
    r.kind = std::move(kind);
    r.severity = severity;
    r.message = std::move(message);
    r.fields.emplace_back("caller_uid", callerText(caller));
    r.fields.emplace_back("caller_pid", std::to_string(caller.pid));
    return r;
}

} // namespace

Server::Server(int listenFd, Authority& authority, AuditSink& audit, WorkerSettings workers, ServerLimits limits)
    : m_listenFd(listenFd), m_authority(authority), m_audit(audit), m_workers(std::move(workers)), m_limits(limits) {
    m_stopFd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    m_launch = [this](const std::vector<std::string>& args) { return spawnWorker(m_workers.path, args); };
}

Server::~Server() {
    if (m_stopFd >= 0)
        close(m_stopFd);
}

void Server::stop() {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = write(m_stopFd, &one, sizeof one);
}

int Server::run() {
    std::array<pollfd, 2> fds{pollfd{m_listenFd, POLLIN, 0}, pollfd{m_stopFd, POLLIN, 0}};
    int status = 0;
    for (;;) {
        const int ready = poll(fds.data(), fds.size(), -1); // no timeout: idle means asleep
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready < 0 || (fds[1].revents & POLLIN) != 0)
            break;
        if ((fds[0].revents & POLLIN) == 0)
            continue;
        const int fd = accept4(m_listenFd, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE)
                continue;
            status = 1;
            break;
        }
        ucred cred{};
        socklen_t length = sizeof cred;
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &length) != 0) {
            close(fd);
            continue;
        }
        const Caller caller{cred.uid, cred.pid};
        if (!admit(caller)) {
            LineSocket busy(fd);
            busy.writeAll(protocol::formatReply(protocol::errorReply("busy", "too many requests at once")));
            auditRecord(
                record("request-refused", AuditRecord::Severity::Warning, "cpslockd busy: connection refused", caller));
            continue;
        }
        std::thread([this, fd, caller] { serve(fd, caller); }).detach();
    }
    // Let running requests end (a PIN being typed gets the worker's step timeout at most).
    std::unique_lock lock(m_mutex);
    m_idle.wait_for(lock, std::chrono::seconds(5), [this] { return m_active == 0; });
    return status;
}

bool Server::admit(const Caller& caller) {
    const std::lock_guard lock(m_mutex);
    const std::size_t perUser = caller.uid == 0 ? m_limits.maxConnections : m_limits.maxPerUser;
    if (m_active >= m_limits.maxConnections || m_perUser[caller.uid] >= perUser)
        return false;
    ++m_active;
    ++m_perUser[caller.uid];
    return true;
}

void Server::release(const Caller& caller) {
    const std::lock_guard lock(m_mutex);
    --m_active;
    if (--m_perUser[caller.uid] == 0)
        m_perUser.erase(caller.uid);
    m_idle.notify_all();
}

void Server::serve(int fd, Caller caller) {
    try {
        LineSocket socket(fd);
        handle(socket, caller);
    } catch (const std::exception& e) {
        auditRecord(record("request-refused", AuditRecord::Severity::Error, std::string("internal error: ") + e.what(),
                           caller));
    } catch (...) {
        auditRecord(record("request-refused", AuditRecord::Severity::Error, "internal error", caller));
    }
    release(caller);
}

void Server::handle(LineSocket& socket, const Caller& caller) {
    const auto request = readRequest(socket, caller);
    if (!request)
        return;
    if (request->verb == Verb::Auth) {
        auditAuth(relayAuth(socket, caller, *request, m_authority, m_workers, m_launch), *request, caller);
        return;
    }
    const Reply reply = answer(*request, caller);
    socket.writeAll(protocol::formatReply(reply));
    auditReply(*request, reply, caller);
}

std::optional<protocol::Request> Server::readRequest(LineSocket& socket, const Caller& caller) {
    std::string line;
    const auto status = socket.readLine(line, m_limits.requestTimeout);
    if (status != LineSocket::ReadStatus::Line) {
        auditRecord(record("request-refused", AuditRecord::Severity::Warning,
                           "no request: " + std::string(LineSocket::statusName(status)), caller));
        return std::nullopt;
    }
    auto parsed = protocol::parseRequest(line);
    if (!parsed) {
        const std::string& why = parsed.error().message;
        socket.writeAll(protocol::formatReply(protocol::errorReply("bad-request", why)));
        auditRecord(record("request-refused", AuditRecord::Severity::Warning, "malformed request: " + why, caller));
        return std::nullopt;
    }
    return std::move(*parsed);
}

Reply Server::answer(const protocol::Request& request, const Caller& caller) {
    const auto optionalField = [&request](const char* key) -> std::optional<std::string> {
        if (!request.has(key))
            return std::nullopt;
        return request.get(key);
    };
    switch (request.verb) {
    case Verb::Auth: break; // relayed by handle()
    case Verb::Attach: return m_authority.attach(caller, request.get("ticket"), request.get("session"));
    case Verb::SessionCard: return m_authority.sessionCard(caller, request.get("session"));
    case Verb::SessionLocked:
        return m_authority.sessionLocked(caller, request.get("session"),
                                         protocol::parseUnsigned(request.get("generation"), UINT64_MAX).value_or(0));
    case Verb::ReportLost:
        return m_authority.reportLost(caller, optionalField("session"), optionalField("serial"),
                                      static_cast<std::int64_t>(std::time(nullptr)));
    case Verb::Ping: {
        Reply reply;
        reply.ok = true;
        reply.fields["version"] = CPSLOCK_VERSION;
        return reply;
    }
    case Verb::CardInfo:
        // The tray's card details: one place talks to the card (issue 10), without any PIN.
        return relayCardInfo(request, m_workers, m_launch);
    }
    return protocol::errorReply("internal", "unexpected request");
}

void Server::auditAuth(const AuthOutcome& outcome, const protocol::Request& request, const Caller& caller) {
    const protocol::AuthAnswer& final = outcome.final;
    const bool ok = final.kind == protocol::AuthAnswer::Kind::Ok;
    auto r =
        record(ok ? "auth-verified" : "auth-refused", ok ? AuditRecord::Severity::Info : AuditRecord::Severity::Warning,
               ok ? "carte CPS vérifiée / CPS card verified"
                  : "carte refusée / card refused: " + std::string(toString(final.reason)),
               caller);
    r.fields.emplace_back("user", request.get("user"));
    r.fields.emplace_back("session", request.get("session"));
    if (ok) {
        r.fields.emplace_back("reader", final.reader);
        r.fields.emplace_back("serial", final.serial);
        r.fields.emplace_back("cert_sha256", final.certSha256);
        r.fields.emplace_back("holder", final.holder);
        r.fields.emplace_back("card_type", final.cardType);
        r.fields.emplace_back("policies", final.policies);
        r.fields.emplace_back("issuer_key_id", final.issuerKeyId);
        r.fields.emplace_back("attached", outcome.attached ? "yes" : outcome.attachNote);
    } else {
        r.fields.emplace_back("reason", std::string(toString(final.reason)));
        r.fields.emplace_back("detail", final.detail);
    }
    auditRecord(std::move(r));
}

void Server::auditReply(const protocol::Request& request, const Reply& reply, const Caller& caller) {
    if (!reply.ok && reply.code != "no-card" && request.verb != Verb::CardInfo) {
        auto r = record("request-refused", AuditRecord::Severity::Warning,
                        std::string(toString(request.verb)) + " refused: " + reply.code, caller);
        r.fields.emplace_back("detail", reply.get("detail"));
        r.fields.emplace_back("session", request.get("session"));
        auditRecord(std::move(r));
        return;
    }
    const std::string kind = successKind(request.verb);
    if (!reply.ok || kind.empty())
        return;
    const bool lost = request.verb == Verb::ReportLost;
    auto r = record(kind, lost ? AuditRecord::Severity::Warning : AuditRecord::Severity::Info,
                    lost ? "carte déclarée perdue ou volée / card reported lost or stolen"
                         : std::string(toString(request.verb)),
                    caller);
    r.fields.emplace_back("session", request.get("session"));
    if (lost)
        r.fields.emplace_back("serial", reply.get("serial"));
    auditRecord(std::move(r));
}

void Server::auditRecord(AuditRecord record) {
    const std::lock_guard lock(m_mutex);
    m_audit.write(record);
}

} // namespace cpslock::daemon
