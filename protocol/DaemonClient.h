// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Result.h"
#include "core/SessionAuthority.h"
#include "protocol/Request.h"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace cpslock::protocol {

/// Where cpslockd listens (its systemd socket unit); `--daemon-socket` / `socket=` name another one
/// in tests.
inline constexpr std::string_view kDefaultDaemonSocket = "/run/cpslock/cpslockd.sock";

/// One request, one reply, on a fresh connection to cpslockd (every verb but auth, which the PAM
/// module drives itself).
class DaemonClient {
public:
    explicit DaemonClient(std::string socketPath = std::string(kDefaultDaemonSocket),
                          std::chrono::milliseconds timeout = std::chrono::seconds(3))
        : m_socketPath(std::move(socketPath)), m_timeout(timeout) {}

    /// cpslockd's reply (`done` or `error CODE`), or why cpslockd could not be asked.
    Result<Reply> call(const Request& request) const;

    const std::string& socketPath() const { return m_socketPath; }

private:
    std::string m_socketPath;
    std::chrono::milliseconds m_timeout;
};

/// The agent's SessionAuthority: asks cpslockd about one logind session.
class DaemonAuthority final : public SessionAuthority {
public:
    DaemonAuthority(DaemonClient client, std::string sessionId)
        : m_client(std::move(client)), m_sessionId(std::move(sessionId)) {}

    Answer verifiedCard() override;
    void sessionLocked(std::uint64_t generation) override;

private:
    DaemonClient m_client;
    std::string m_sessionId;
};

/// A `done` reply of session-card → the card, nullopt for `error no-card`; an error for anything else.
Result<std::optional<VerifiedCard>> verifiedCardFromReply(const Reply& reply);
/// The `done` reply of session-card for `card`.
Reply replyForCard(const VerifiedCard& card);

} // namespace cpslock::protocol
