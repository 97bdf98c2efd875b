// SPDX-License-Identifier: EUPL-1.2
#include "protocol/DaemonClient.h"

#include "protocol/LineSocket.h"

namespace cpslock::protocol {

Result<Reply> DaemonClient::call(const Request& request) const {
    auto socket = LineSocket::connectUnix(m_socketPath);
    if (!socket)
        return fail("cpslockd unreachable: " + socket.error().message);
    if (!(*socket)->writeAll(formatRequest(request)))
        return fail("cpslockd closed the connection");
    std::string line;
    const auto status = (*socket)->readLine(line, m_timeout);
    if (status != LineSocket::ReadStatus::Line)
        return fail("cpslockd: " + std::string(LineSocket::statusName(status)));
    auto reply = parseReply(line);
    if (!reply)
        return fail("cpslockd: unparsable reply: " + reply.error().message);
    return reply;
}

Result<std::optional<VerifiedCard>> verifiedCardFromReply(const Reply& reply) {
    if (!reply.ok) {
        if (reply.code != "no-card")
            return fail(reply.code + ": " + reply.get("detail"));
        return std::optional<VerifiedCard>();
    }
    VerifiedCard card;
    card.reader = reply.get("reader");
    card.serial = reply.get("serial");
    card.certSha256 = reply.get("cert");
    card.holder = reply.get("holder");
    const auto generation = parseUnsigned(reply.get("generation"), UINT64_MAX);
    if (!validSerial(card.serial) || !generation)
        return fail("session-card reply without a serial or generation");
    card.generation = *generation;
    return std::optional<VerifiedCard>(std::move(card));
}

Reply replyForCard(const VerifiedCard& card) {
    Reply reply;
    reply.ok = true;
    reply.fields = {{"reader", card.reader},
                    {"serial", card.serial},
                    {"cert", card.certSha256},
                    {"holder", card.holder},
                    {"generation", std::to_string(card.generation)}};
    return reply;
}

SessionAuthority::Answer DaemonAuthority::verifiedCard() {
    const auto reply = m_client.call(Request{Verb::SessionCard, {{"session", m_sessionId}}});
    if (!reply)
        return reply.error();
    return verifiedCardFromReply(*reply);
}

void DaemonAuthority::sessionLocked(std::uint64_t generation) {
    // Best effort: a lost message only keeps an older verification, which still needs its card.
    (void)m_client.call(
        Request{Verb::SessionLocked, {{"session", m_sessionId}, {"generation", std::to_string(generation)}}});
}

} // namespace cpslock::protocol
