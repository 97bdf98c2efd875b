// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Refusal.h"
#include "core/Result.h"
#include "core/SessionAuthority.h"
#include "daemon/LostReports.h"
#include "protocol/Request.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include <sys/types.h>

namespace cpslock::daemon {

/// Who is on the other end of a connection, from SO_PEERCRED (never from what the peer says).
struct Caller {
    uid_t uid = static_cast<uid_t>(-1);
    pid_t pid = 0;
};

/// The machine's accounts and logind sessions, as cpslockd may ask them. The real one uses NSS and
/// logind over the system bus (daemon/SystemDirectory); tests inject a fake.
class Directory {
public:
    virtual ~Directory() = default;
    virtual std::optional<uid_t> userId(const std::string& user) = 0;
    /// The uid that owns logind session `id`; nullopt when there is no such session (or no logind).
    virtual std::optional<uid_t> sessionOwner(const std::string& id) = 0;
};

/// cpslockd's memory: which verified card opened which session, pending login tickets, lost-card
/// reports. Thread-safe (one mutex; every operation is short and does no I/O but the reports file).
/// Every decision about who may ask what lives here, unit-tested with a fake Directory and clock.
class Authority {
public:
    using Clock = std::function<std::chrono::steady_clock::time_point()>;
    /// How long a login's ticket waits for open_session.
    static constexpr std::chrono::minutes kTicketLifetime{5};
    static constexpr std::size_t kMaxTickets = 256;

    Authority(Directory& directory, LostReports& reports, Clock clock = {});

    /// Whether `caller` may verify a card for `user`: root (a display manager, a root-run locker) for
    /// anyone, anyone else only for themself. Else why not.
    Result<void> mayAuthenticate(const Caller& caller, const std::string& user);

    /// Before the worker's `ok` is passed on: ok, or the refusal when the card was reported lost
    /// (reported-lost) or the reports cannot be read (policy-error: every card is refused).
    Result<void, Refusal> checkLostReports(const std::string& serial) const;

    struct Recorded {
        std::string ticket;    ///< for a later attach (open_session)
        bool attached = false; ///< recorded for `session` at once
        std::string note;      ///< why not attached (for the audit), when a session was named
    };
    /// A verification succeeded for `user`: record it for `session` when that logind session belongs
    /// to `user` (a screen locker inside it), and hand out a ticket for open_session.
    Recorded recordVerification(const Caller& caller, const std::string& user,
                                const std::optional<std::string>& session, const VerifiedCard& card);

    protocol::Reply attach(const Caller& caller, const std::string& ticket, const std::string& session);
    protocol::Reply sessionCard(const Caller& caller, const std::string& session);
    protocol::Reply sessionLocked(const Caller& caller, const std::string& session, std::uint64_t generation);
    protocol::Reply reportLost(const Caller& caller, const std::optional<std::string>& session,
                               const std::optional<std::string>& serial, std::int64_t epochSeconds);

private:
    struct Ticket {
        std::string user;
        uid_t uid = 0;
        VerifiedCard card;
        std::chrono::steady_clock::time_point expires;
    };
    struct Record {
        uid_t uid = 0;
        VerifiedCard card;
    };

    /// The session's owner when `caller` may act on it (root, or the owner itself).
    std::optional<uid_t> ownedSession(const Caller& caller, const std::string& session, protocol::Reply& refusal);
    void recordLocked(const std::string& session, uid_t uid, VerifiedCard card);
    /// A display manager's login verified the card before the session existed; when its stack did not
    /// attach it (pam_systemd runs after the module), the new session's first question claims the
    /// owner's newest unexpired login ticket. Only the owner's (or root's) question gets here.
    bool claimLoginTicket(const std::string& session, uid_t owner);
    void dropExpiredTickets();
    std::chrono::steady_clock::time_point now() const;

    Directory& m_directory;
    LostReports& m_reports;
    Clock m_clock;
    mutable std::mutex m_mutex;
    std::map<std::string, Record> m_sessions;
    std::map<std::string, Ticket> m_tickets;
    std::uint64_t m_generation = 0;
};

/// 32 lower-case hex digits from the kernel's random source.
std::string randomTicket();

} // namespace cpslock::daemon
