// SPDX-License-Identifier: EUPL-1.2
// pam_cpslock.so: the PAM entry points, a shim over Authenticator (tested without PAM) that talks to
// cpslockd. docs/pam.md documents the options and the return codes; docs/protocol.md the socket.
#include "core/UiLanguage.h"
#include "pam/Authenticator.h"
#include "pam/DaemonChannel.h"
#include "pam/PamOptions.h"
#include "pam/PamVerdict.h"
#include "protocol/DaemonClient.h"

#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>

#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <syslog.h>

#define CPSLOCK_PAM_EXPORT extern "C" __attribute__((visibility("default")))

namespace cpslock::pam {
namespace {

class PamConversation final : public Conversation {
public:
    PamConversation(pam_handle_t* pamh, bool silent) : m_pamh(pamh), m_silent(silent) {}

    std::optional<SecretReply> askSecret(const std::string& prompt) override {
        char* response = nullptr;
        // pam_prompt wraps the application's conversation; the reply is ours to wipe and free.
        if (pam_prompt(m_pamh, PAM_PROMPT_ECHO_OFF, &response, "%s", prompt.c_str()) != PAM_SUCCESS) {
            SecretReply wipe(response);
            return std::nullopt;
        }
        if (response == nullptr)
            return std::nullopt;
        return std::optional<SecretReply>(std::in_place, response);
    }

    void showError(const std::string& message) override { say(PAM_ERROR_MSG, message); }
    void showInfo(const std::string& message) override { say(PAM_TEXT_INFO, message); }

private:
    void say(int style, const std::string& message) {
        if (m_silent || message.empty())
            return;
        char* ignored = nullptr;
        pam_prompt(m_pamh, style, &ignored, "%s", message.c_str());
        std::free(ignored);
    }

    pam_handle_t* m_pamh;
    bool m_silent;
};

/// pam_set_data key of the ticket an `ok` carried, for open_session.
constexpr const char* kTicketData = "cpslock_ticket";

const char* localeVariable(pam_handle_t* pamh, const char* name) {
    // The application's PAM environment first (what the session will get), then the process's.
    if (const char* value = pam_getenv(pamh, name))
        return value;
    return std::getenv(name);
}

Result<ModuleOptions, OptionErrors> moduleOptions(int argc, const char** argv) {
    std::vector<std::string_view> args;
    for (int i = 0; i < argc; ++i)
        args.emplace_back(argv[i] ? argv[i] : "");
    return parseModuleOptions(args);
}

std::string socketPath(const ModuleOptions& options) {
    return options.socket.value_or(std::string(protocol::kDefaultDaemonSocket));
}

/// The logind session this PAM transaction runs in, when it has one: a screen locker's own session
/// (cpslockd records the card for it only if it belongs to the verified user).
std::optional<std::string> currentSession(pam_handle_t* pamh) {
    const char* id = pam_getenv(pamh, "XDG_SESSION_ID");
    if (id == nullptr)
        id = std::getenv("XDG_SESSION_ID");
    if (id == nullptr || *id == '\0')
        return std::nullopt;
    return std::string(id);
}

void freeTicket(pam_handle_t* /*pamh*/, void* data, int /*status*/) {
    auto* ticket = static_cast<std::string*>(data);
    delete ticket;
}

int authenticateShim(pam_handle_t* pamh, int flags, int argc, const char** argv) {
    const auto parsed = moduleOptions(argc, argv);
    // The caller's environment (and the application's PAM environment) only picks the language of the
    // messages: cosmetic, nothing security-relevant is ever read from it.
    const Language language = uiLanguage([pamh](const char* name) { return localeVariable(pamh, name); });
    PamConversation conversation(pamh, (static_cast<unsigned>(flags) & PAM_SILENT) != 0U);

    if (!parsed) {
        // A broken module line is a configuration error, like a broken policy file.
        for (const auto& error : parsed.error().messages)
            pam_syslog(pamh, LOG_ERR, "bad option %s", error.c_str());
        conversation.showError(userMessage(RefusalReason::PolicyError, language));
        return pamReturnFor(RefusalReason::PolicyError);
    }
    const ModuleOptions& options = *parsed;

    const char* user = nullptr;
    if (pam_get_user(pamh, &user, nullptr) != PAM_SUCCESS || user == nullptr) {
        pam_syslog(pamh, LOG_NOTICE, "no user name");
        return PAM_AUTH_ERR;
    }
    if (const auto valid = protocol::checkUserName(user); !valid) {
        pam_syslog(pamh, LOG_NOTICE, "refused user name: %s", valid.error().message.c_str());
        return PAM_AUTH_ERR;
    }

    const std::string socket = socketPath(options);
    const AuthOutcome outcome =
        authenticate(options, user, currentSession(pamh), language, conversation,
                     [&socket](const protocol::Request& request) { return connectDaemon(socket, request); });

    if (outcome.pamCode == PAM_SUCCESS) {
        if (!outcome.ticket.empty())
            pam_set_data(pamh, kTicketData, new std::string(outcome.ticket), freeTicket);
        if (options.debug)
            pam_syslog(pamh, LOG_DEBUG, "user %s: ok (%s)", user, outcome.detail.c_str());
    } else {
        pam_syslog(pamh, LOG_NOTICE, "user %s: refused (%s)", user, outcome.reason.c_str());
        if (options.debug)
            pam_syslog(pamh, LOG_DEBUG, "user %s: %s: %s", user, outcome.reason.c_str(), outcome.detail.c_str());
    }
    // Belt and braces for CVE-2025-24531: only the codes this module means can leave it.
    if (outcome.pamCode != PAM_SUCCESS && outcome.pamCode != PAM_AUTHINFO_UNAVAIL)
        return PAM_AUTH_ERR;
    return outcome.pamCode;
}

/// A login's verification happened before its session existed: give it to the session pam_systemd
/// just opened. Never blocks the login: without the record the agent locks the session (require_card)
/// and the card must be presented again.
int openSessionShim(pam_handle_t* pamh, int argc, const char** argv) {
    const auto parsed = moduleOptions(argc, argv);
    const void* data = nullptr;
    if (!parsed || pam_get_data(pamh, kTicketData, &data) != PAM_SUCCESS || data == nullptr)
        return PAM_SUCCESS;
    const auto session = currentSession(pamh);
    if (!session || !protocol::validSessionId(*session)) {
        pam_syslog(pamh, LOG_NOTICE, "no logind session to attach the card verification to");
        return PAM_SUCCESS;
    }
    const auto& ticket = *static_cast<const std::string*>(data);
    const auto reply = askDaemon(socketPath(*parsed),
                                 protocol::Request{protocol::Verb::Attach, {{"ticket", ticket}, {"session", *session}}},
                                 std::chrono::seconds(5));
    if (!reply || !reply->ok) {
        pam_syslog(pamh, LOG_NOTICE, "card verification not attached to session %s: %s", session->c_str(),
                   reply ? (reply->code + " " + reply->get("detail")).c_str() : reply.error().message.c_str());
    }
    pam_set_data(pamh, kTicketData, nullptr, nullptr);
    return PAM_SUCCESS;
}

} // namespace
} // namespace cpslock::pam

CPSLOCK_PAM_EXPORT int pam_sm_authenticate(pam_handle_t* pamh, int flags, int argc, const char** argv) {
    try {
        return cpslock::pam::authenticateShim(pamh, flags, argc, argv);
    } catch (...) {
        return PAM_AUTH_ERR;
    }
}

// No credentials to establish: the card proves who is at the screen, nothing is cached.
CPSLOCK_PAM_EXPORT int pam_sm_setcred(pam_handle_t* /*pamh*/, int /*flags*/, int /*argc*/, const char** /*argv*/) {
    return PAM_SUCCESS;
}

CPSLOCK_PAM_EXPORT int pam_sm_open_session(pam_handle_t* pamh, int /*flags*/, int argc, const char** argv) {
    try {
        return cpslock::pam::openSessionShim(pamh, argc, argv);
    } catch (...) {
        return PAM_SUCCESS; // the agent locks a session without a recorded card: nothing opens here
    }
}

CPSLOCK_PAM_EXPORT int pam_sm_close_session(pam_handle_t* /*pamh*/, int /*flags*/, int /*argc*/,
                                            const char** /*argv*/) {
    return PAM_SUCCESS;
}

// Account rules (expiry, access.conf...) belong to pam_unix and friends; this module has no say.
CPSLOCK_PAM_EXPORT int pam_sm_acct_mgmt(pam_handle_t* /*pamh*/, int /*flags*/, int /*argc*/, const char** /*argv*/) {
    return PAM_IGNORE;
}
