// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/SessionAuthority.h"
#include "protocol/DaemonClient.h"

#include <optional>
#include <string>

namespace cpslock::agent {

/// The agent's SessionAuthority: cpslockd, asked about this process's logind session. The session id
/// is XDG_SESSION_ID, else logind's `Id` of the session found by PID; looked up again while unknown
/// (logind may be away when the agent starts). Unknown session or cpslockd unreachable: an answer with
/// an error, which the agent treats as "no verified card" (fail closed).
class CpslockdAuthority final : public SessionAuthority {
public:
    explicit CpslockdAuthority(protocol::DaemonClient client) : m_client(std::move(client)) {}

    Answer verifiedCard() override;
    void sessionLocked(std::uint64_t generation) override;

    const std::optional<std::string>& sessionId() const { return m_sessionId; }

private:
    bool resolveSession();

    protocol::DaemonClient m_client;
    std::optional<std::string> m_sessionId;
};

} // namespace cpslock::agent
