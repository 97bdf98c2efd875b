// pam_cpslock.so: the PAM entry points, a shim over Authenticator (tested without PAM).
// docs/pam.md documents the options, the return codes and the helper protocol.
#include "pam/Authenticator.h"
#include "pam/HelperProcess.h"
#include "pam/PamOptions.h"
#include "pam/PamVerdict.h"

#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>

#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <syslog.h>

#ifndef CPSLOCK_HELPER_PATH
#error "CPSLOCK_HELPER_PATH must name the installed cpslock-auth"
#endif

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

std::optional<std::string_view> localeVariable(pam_handle_t* pamh, const char* name) {
    // The application's PAM environment first (what the session will get), then the process's.
    if (const char* value = pam_getenv(pamh, name))
        return value;
    if (const char* value = std::getenv(name))
        return value;
    return std::nullopt;
}

int authenticateShim(pam_handle_t* pamh, int flags, int argc, const char** argv) {
    std::vector<std::string_view> args;
    for (int i = 0; i < argc; ++i)
        args.emplace_back(argv[i] ? argv[i] : "");
    const OptionsResult parsed = parseModuleOptions(args);
    const Language language = languageFromLocale(localeVariable(pamh, "LC_ALL"), localeVariable(pamh, "LC_MESSAGES"),
                                                 localeVariable(pamh, "LANG"));
    PamConversation conversation(pamh, (static_cast<unsigned>(flags) & PAM_SILENT) != 0U);

    if (!parsed.ok()) {
        // A broken module line is a configuration error, like a broken policy file.
        for (const auto& error : parsed.errors)
            pam_syslog(pamh, LOG_ERR, "bad option %s", error.c_str());
        conversation.showError(userMessage(RefusalReason::PolicyError, language));
        return pamReturnFor(RefusalReason::PolicyError);
    }
    const ModuleOptions& options = parsed.options;

    const char* user = nullptr;
    if (pam_get_user(pamh, &user, nullptr) != PAM_SUCCESS || user == nullptr) {
        pam_syslog(pamh, LOG_NOTICE, "no user name");
        return PAM_AUTH_ERR;
    }
    if (const auto bad = checkUserName(user)) {
        pam_syslog(pamh, LOG_NOTICE, "refused user name: %s", bad->c_str());
        return PAM_AUTH_ERR;
    }

    const std::string helper = options.helper.value_or(CPSLOCK_HELPER_PATH);
    if (const auto insecure = insecureHelperReason(helper)) {
        pam_syslog(pamh, LOG_ERR, "helper refused: %s", insecure->c_str());
        conversation.showError(userMessage(RefusalReason::ModuleError, language));
        return PAM_AUTH_ERR;
    }

    ChildSignalGuard childSignal;
    const AuthOutcome outcome = authenticate(options, user, language, conversation,
                                             [&helper](const std::vector<std::string>& helperArgs, std::string& error) {
                                                 return spawnHelper(helper, helperArgs, error);
                                             });

    if (outcome.pamCode == PAM_SUCCESS) {
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

// Account rules (expiry, access.conf...) belong to pam_unix and friends; this module has no say.
CPSLOCK_PAM_EXPORT int pam_sm_acct_mgmt(pam_handle_t* /*pamh*/, int /*flags*/, int /*argc*/, const char** /*argv*/) {
    return PAM_IGNORE;
}
