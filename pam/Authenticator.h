#pragma once

#include "core/Refusal.h"
#include "pam/PamOptions.h"

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

/// The running cpslock-auth, seen from the module.
class HelperChannel {
public:
    enum class ReadStatus { Line, Timeout, Closed, TooLong, Error };
    struct Exit {
        bool exited = false; ///< ended by exit() (else killed by a signal)
        int code = -1;       ///< exit code, or the signal number
    };

    virtual ~HelperChannel() = default;
    /// One line without its '\n'; waits at most `timeout`.
    virtual ReadStatus readLine(std::string& line, std::chrono::milliseconds timeout) = 0;
    /// Writes the secret and '\n'; false if the helper is gone. Never raises SIGPIPE.
    virtual bool sendSecret(const char* data, std::size_t size) = 0;
    /// Closes the channel, waits up to `grace` for the helper to end, then SIGKILLs and reaps it.
    virtual Exit finish(std::chrono::milliseconds grace) = 0;
};

/// Starts the helper with these arguments (argv[0] excluded); nullptr with `error` set on failure.
using HelperLauncher =
    std::function<std::unique_ptr<HelperChannel>(const std::vector<std::string>& args, std::string& error)>;

/// The arguments cpslock-auth gets: --user U [--policy F] [--wait-card S]. Never the PIN.
std::vector<std::string> helperArguments(const ModuleOptions& options, const std::string& user);

struct AuthOutcome {
    int pamCode = 0;    ///< what pam_sm_authenticate returns
    std::string reason; ///< refusal name or "helper-…" failure, "ok" on success (for the log)
    std::string detail; ///< technical, for the debug log; never the PIN
};

/// The whole authentication, once the user and options are known: start the helper, wait for the
/// card, ask the PIN, hand it over, read the answer, map it; messages go through `conversation`.
/// Every path that is not a well-formed `ok` for `user` from a helper that then exited 0 is a
/// refusal. Never throws (a std::exception becomes a refusal).
AuthOutcome authenticate(const ModuleOptions& options, const std::string& user, Language language,
                         Conversation& conversation, const HelperLauncher& launch) noexcept;

} // namespace cpslock::pam
