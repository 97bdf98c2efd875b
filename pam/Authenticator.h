// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Refusal.h"
#include "core/Result.h"
#include "pam/PamOptions.h"
#include "protocol/LineSocket.h"
#include "protocol/Request.h"

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cpslock::pam {

/// A reply from the PAM conversation that holds the PIN: the one copy we cannot avoid. It owns the
/// malloc'ed text the conversation returned and wipes it (explicit_bzero) before freeing it.
class SecretReply {
public:
    explicit SecretReply(char* text) noexcept : m_text(text) {}
    ~SecretReply();
    SecretReply(const SecretReply&) = delete;
    SecretReply& operator=(const SecretReply&) = delete;
    SecretReply(SecretReply&& other) noexcept : m_text(other.m_text) { other.m_text = nullptr; }
    SecretReply& operator=(SecretReply&&) = delete;

    const char* text() const noexcept { return m_text ? m_text : ""; }
    std::size_t size() const noexcept;

private:
    char* m_text;
};

/// The PAM conversation, narrowed to what the module says and asks.
class Conversation {
public:
    virtual ~Conversation() = default;
    /// PAM_PROMPT_ECHO_OFF; nullopt when the conversation failed or was cancelled.
    virtual std::optional<SecretReply> askSecret(const std::string& prompt) = 0;
    virtual void showError(const std::string& message) = 0; ///< PAM_ERROR_MSG
    virtual void showInfo(const std::string& message) = 0;  ///< PAM_TEXT_INFO
};

/// An `auth` exchange with cpslockd, seen from the module (DaemonChannel; tests inject scripted ones).
class AuthChannel {
public:
    using ReadStatus = protocol::LineSocket::ReadStatus;

    virtual ~AuthChannel() = default;
    /// One line without its '\n'; waits at most `timeout`.
    virtual ReadStatus readLine(std::string& line, std::chrono::milliseconds timeout) = 0;
    /// Writes the secret and '\n'; false if cpslockd is gone. Never raises SIGPIPE.
    virtual bool sendSecret(const char* data, std::size_t size) = 0;
};

/// Opens the exchange: connects to cpslockd and sends the `auth` request. An error when cpslockd
/// cannot be reached.
using AuthConnector = std::function<Result<std::unique_ptr<AuthChannel>>(const protocol::Request& request)>;

/// The request the module sends: auth user=U [session=S] [wait=N]. Never the PIN.
protocol::Request authRequest(const ModuleOptions& options, const std::string& user,
                              const std::optional<std::string>& session);

struct AuthOutcome {
    int pamCode = 0;    ///< what pam_sm_authenticate returns
    std::string reason; ///< refusal name or "daemon-…" failure, "ok" on success (for the log)
    std::string detail; ///< technical, for the debug log; never the PIN
    std::string ticket; ///< success: cpslockd's ticket for open_session
};

/// The whole authentication, once the user and options are known: ask cpslockd, wait for the card,
/// ask the PIN, hand it over, read the answer, map it; messages go through `conversation`. Every path
/// that is not a well-formed `ok` for `user` is a refusal; cpslockd unreachable is
/// service-unavailable (PAM_AUTHINFO_UNAVAIL). Never throws (a std::exception becomes a refusal).
AuthOutcome authenticate(const ModuleOptions& options, const std::string& user,
                         const std::optional<std::string>& session, Language language, Conversation& conversation,
                         const AuthConnector& connect) noexcept;

} // namespace cpslock::pam
