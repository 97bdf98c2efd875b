// SPDX-License-Identifier: EUPL-1.2
#include "protocol/DaemonClient.h"

#include "protocol/LineSocket.h"

namespace cpslock::protocol {

DaemonClient::Outcome DaemonClient::call(const Request& request) const {
    Outcome outcome;
    auto socket = LineSocket::connectUnix(m_socketPath, outcome.error);
    if (!socket) {
        outcome.error = "cpslockd unreachable: " + outcome.error;
        return outcome;
    }
    if (!socket->writeAll(formatRequest(request))) {
        outcome.error = "cpslockd closed the connection";
        return outcome;
    }
    std::string line;
    const auto status = socket->readLine(line, m_timeout);
    if (status != LineSocket::ReadStatus::Line) {
        outcome.error = "cpslockd: " + std::string(LineSocket::statusName(status));
        return outcome;
    }
    auto parsed = parseReply(line);
    if (!parsed.reply) {
        outcome.error = "cpslockd: unparsable reply: " + parsed.error;
        return outcome;
    }
    outcome.reply = std::move(parsed.reply);
    return outcome;
}

std::optional<VerifiedCard> verifiedCardFromReply(const Reply& reply, std::string& error) {
    if (!reply.ok) {
        if (reply.code != "no-card")
            error = reply.code + ": " + reply.get("detail");
        return std::nullopt;
    }
    VerifiedCard card;
    card.reader = reply.get("reader");
    card.serial = reply.get("serial");
    card.certSha256 = reply.get("cert");
    card.holder = reply.get("holder");
    const auto generation = parseUnsigned(reply.get("generation"), UINT64_MAX);
    if (!validSerial(card.serial) || !generation) {
        error = "session-card reply without a serial or generation";
        return std::nullopt;
    }
    card.generation = *generation;
    return card;
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
    Answer answer;
    const auto outcome = m_client.call(Request{Verb::SessionCard, {{"session", m_sessionId}}});
    if (!outcome.reply) {
        answer.error = outcome.error;
        return answer;
    }
    answer.card = verifiedCardFromReply(*outcome.reply, answer.error);
    return answer;
}

void DaemonAuthority::sessionLocked(std::uint64_t generation) {
    // Best effort: a lost message only keeps an older verification, which still needs its card.
    m_client.call(Request{Verb::SessionLocked, {{"session", m_sessionId}, {"generation", std::to_string(generation)}}});
}

} // namespace cpslock::protocol
