// SPDX-License-Identifier: EUPL-1.2
#include "daemon/Authority.h"

#include "protocol/DaemonClient.h"

#include <array>
#include <stdexcept>

#include <sys/random.h>

namespace cpslock::daemon {

using protocol::errorReply;
using protocol::Reply;

std::string randomTicket() {
    std::array<unsigned char, 16> bytes{};
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = getrandom(bytes.data() + done, bytes.size() - done, 0);
        if (n <= 0)
            throw std::runtime_error("getrandom failed");
        done += static_cast<std::size_t>(n);
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string ticket;
    for (const unsigned char b : bytes) {
        ticket += kHex[b >> 4];
        ticket += kHex[b & 0x0f];
    }
    return ticket;
}

Authority::Authority(Directory& directory, LostReports& reports, Clock clock)
    : m_directory(directory), m_reports(reports), m_clock(std::move(clock)) {}

std::chrono::steady_clock::time_point Authority::now() const {
    return m_clock ? m_clock() : std::chrono::steady_clock::now();
}

Result<void> Authority::mayAuthenticate(const Caller& caller, const std::string& user) {
    if (caller.uid == 0)
        return {};
    const auto uid = m_directory.userId(user);
    if (!uid)
        return fail("unknown user " + user);
    if (*uid != caller.uid)
        return fail("uid " + std::to_string(caller.uid) + " may only verify a card for its own account, not " + user);
    return {};
}

Result<void, Refusal> Authority::checkLostReports(const std::string& serial) const {
    const std::lock_guard lock(m_mutex);
    if (!m_reports.usable())
        return Refusal{RefusalReason::PolicyError, "the lost-card reports cannot be read: every card is refused", {}};
    if (m_reports.isReported(serial))
        return Refusal{RefusalReason::ReportedLost, "card " + serial + " was reported lost or stolen on this PC", {}};
    return {};
}

Authority::Recorded Authority::recordVerification(const Caller& caller, const std::string& user,
                                                  const std::optional<std::string>& session, const VerifiedCard& card) {
    Recorded recorded;
    const auto uid = m_directory.userId(user);
    std::optional<uid_t> owner;
    if (session)
        owner = m_directory.sessionOwner(*session);

    const std::lock_guard lock(m_mutex);
    dropExpiredTickets();
    // A verification recorded for its session at once needs no ticket: a ticket left behind would let
    // a later password unlock of that session claim it.
    const auto issueTicket = [&] {
        if (uid && m_tickets.size() < kMaxTickets) {
            recorded.ticket = randomTicket();
            m_tickets[recorded.ticket] = Ticket{user, *uid, card, now() + kTicketLifetime};
        }
        return recorded;
    };
    if (!session)
        return issueTicket();
    if (!uid) {
        recorded.note = "no uid for " + user;
    } else if (!owner) {
        recorded.note = "session " + *session + " unknown to logind";
    } else if (*owner != *uid) {
        recorded.note = "session " + *session + " belongs to uid " + std::to_string(*owner) + ", not to " + user;
    } else if (caller.uid != 0 && caller.uid != *owner) {
        recorded.note = "caller uid " + std::to_string(caller.uid) + " does not own session " + *session;
    } else {
        recordLocked(*session, *uid, card);
        recorded.attached = true;
        return recorded;
    }
    return issueTicket();
}

void Authority::recordLocked(const std::string& session, uid_t uid, VerifiedCard card) {
    card.generation = ++m_generation;
    m_sessions[session] = Record{uid, std::move(card)};
}

std::optional<uid_t> Authority::ownedSession(const Caller& caller, const std::string& session, Reply& refusal) {
    const auto owner = m_directory.sessionOwner(session);
    if (!owner) {
        refusal = errorReply("unknown-session", "logind knows no session " + session);
        return std::nullopt;
    }
    if (caller.uid != 0 && caller.uid != *owner) {
        refusal = errorReply("forbidden", "session " + session + " is not the caller's");
        return std::nullopt;
    }
    return owner;
}

Reply Authority::attach(const Caller& caller, const std::string& ticket, const std::string& session) {
    Reply refusal;
    const auto owner = ownedSession(caller, session, refusal);
    if (!owner)
        return refusal;
    const std::lock_guard lock(m_mutex);
    dropExpiredTickets();
    const auto it = m_tickets.find(ticket);
    if (it == m_tickets.end())
        return errorReply("bad-request", "unknown or expired ticket");
    if (it->second.uid != *owner)
        return errorReply("forbidden", "session " + session + " does not belong to " + it->second.user);
    recordLocked(session, it->second.uid, it->second.card);
    m_tickets.erase(it);
    Reply reply;
    reply.ok = true;
    return reply;
}

bool Authority::claimLoginTicket(const std::string& session, uid_t owner) {
    dropExpiredTickets();
    auto newest = m_tickets.end();
    for (auto it = m_tickets.begin(); it != m_tickets.end(); ++it) {
        if (it->second.uid == owner && (newest == m_tickets.end() || it->second.expires > newest->second.expires))
            newest = it;
    }
    if (newest == m_tickets.end())
        return false;
    recordLocked(session, owner, newest->second.card);
    m_tickets.erase(newest);
    return true;
}

Reply Authority::sessionCard(const Caller& caller, const std::string& session) {
    Reply refusal;
    const auto owner = ownedSession(caller, session, refusal);
    if (!owner)
        return refusal;
    const std::lock_guard lock(m_mutex);
    auto it = m_sessions.find(session);
    if (it == m_sessions.end() && claimLoginTicket(session, *owner))
        it = m_sessions.find(session);
    if (it == m_sessions.end())
        return errorReply("no-card", "no card verified for session " + session);
    if (m_reports.isReported(it->second.card.serial) || !m_reports.usable())
        return errorReply("no-card", "the card verified for session " + session + " was reported lost");
    return protocol::replyForCard(it->second.card);
}

Reply Authority::sessionLocked(const Caller& caller, const std::string& session, std::uint64_t generation) {
    Reply refusal;
    if (!ownedSession(caller, session, refusal))
        return refusal;
    const std::lock_guard lock(m_mutex);
    const auto it = m_sessions.find(session);
    // Only what the agent knew retires: a verification recorded after it saw the lock stays.
    if (it != m_sessions.end() && it->second.card.generation <= generation)
        m_sessions.erase(it);
    Reply reply;
    reply.ok = true;
    return reply;
}

Reply Authority::reportLost(const Caller& caller, const std::optional<std::string>& session,
                            const std::optional<std::string>& serial, std::int64_t epochSeconds) {
    std::string target;
    if (session) {
        Reply refusal;
        if (!ownedSession(caller, *session, refusal))
            return refusal;
    }
    const std::lock_guard lock(m_mutex);
    if (serial) {
        target = *serial;
    } else if (session) {
        const auto it = m_sessions.find(*session);
        if (it == m_sessions.end())
            return errorReply("no-card", "no card verified for session " + *session + ": give the card number");
        target = it->second.card.serial;
    } else {
        return errorReply("bad-request", "report-lost needs a session or a serial");
    }
    switch (m_reports.add(target, caller.uid, epochSeconds)) {
    case LostReports::AddStatus::Added:
    case LostReports::AddStatus::AlreadyReported: break;
    case LostReports::AddStatus::QuotaExceeded:
        return errorReply("quota", "this account already reported " + std::to_string(LostReports::kPerUserQuota) +
                                       " cards; ask the administrator");
    case LostReports::AddStatus::Full: return errorReply("quota", "the report store is full; ask the administrator");
    case LostReports::AddStatus::WriteFailed:
        // Still refused from now on (kept in memory), but it will not survive a restart.
        return errorReply("internal", "report kept in memory only: the state folder cannot be written");
    }
    // The card no longer opens anything, starting with the sessions it opened.
    for (auto it = m_sessions.begin(); it != m_sessions.end();) {
        it = canonicalSerial(it->second.card.serial) == canonicalSerial(target) ? m_sessions.erase(it) : std::next(it);
    }
    Reply reply;
    reply.ok = true;
    reply.fields["serial"] = target;
    return reply;
}

void Authority::dropExpiredTickets() {
    const auto current = now();
    for (auto it = m_tickets.begin(); it != m_tickets.end();)
        it = it->second.expires <= current ? m_tickets.erase(it) : std::next(it);
}

} // namespace cpslock::daemon
