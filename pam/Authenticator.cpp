#include "pam/Authenticator.h"

#include "pam/HelperProtocol.h"
#include "pam/PamVerdict.h"

#include <cstdlib>
#include <cstring>
#include <exception>
#include <string_view>

#include <security/_pam_types.h>

namespace cpslock::pam {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// After a final answer the helper only has to exit; a refusal does not wait for it long.
constexpr milliseconds kRefusalGrace{1000};

std::string_view statusName(HelperChannel::ReadStatus status) {
    switch (status) {
    case HelperChannel::ReadStatus::Line:
        return "line";
    case HelperChannel::ReadStatus::Timeout:
        return "timeout";
    case HelperChannel::ReadStatus::Closed:
        return "closed without an answer";
    case HelperChannel::ReadStatus::TooLong:
        return "line too long";
    case HelperChannel::ReadStatus::Error:
        return "read error";
    }
    return "?";
}

std::string exitText(const HelperChannel::Exit& exit) {
    return exit.exited ? "exit " + std::to_string(exit.code) : "signal " + std::to_string(exit.code);
}

class Flow {
public:
    Flow(const ModuleOptions& options, const std::string& user, Language language, Conversation& conversation)
        : m_options(options), m_user(user), m_language(language), m_conversation(conversation) {}

    AuthOutcome run(const HelperLauncher& launch) {
        std::string error;
        m_helper = launch(helperArguments(m_options, m_user), error);
        if (!m_helper) {
            return helperFailure("helper-start", error);
        }

        // First phase: the card and its PIN state, possibly after waiting for the card.
        const auto firstDeadline = Clock::now() + m_options.timeout + m_options.waitCard;
        std::optional<HelperAnswer> first;
        bool toldToInsert = false;
        for (;;) {
            first = readAnswer(firstDeadline, error);
            if (!first) {
                return helperFailure("helper-failed", error);
            }
            if (first->kind != HelperAnswer::Kind::WaitingCard) {
                break;
            }
            if (!toldToInsert) {
                m_conversation.showInfo(insertCardText(m_language));
                toldToInsert = true;
            }
        }
        if (first->kind == HelperAnswer::Kind::Refused) {
            return refused(*first);
        }
        if (first->kind != HelperAnswer::Kind::Ready) {
            // An "ok" before any PIN was given is a broken or hostile helper, never a success.
            return helperFailure("helper-protocol", "answer before the PIN was asked");
        }

        if (!sendPin(*first, error)) {
            return localRefusal(error);
        }

        const auto last = readAnswer(Clock::now() + m_options.timeout, error);
        if (!last) {
            return helperFailure("helper-failed", error);
        }
        if (last->kind == HelperAnswer::Kind::Refused) {
            return refused(*last);
        }
        if (last->kind != HelperAnswer::Kind::Ok) {
            return helperFailure("helper-protocol", "expected ok or refused after the PIN");
        }
        if (last->user != m_user) {
            return helperFailure("helper-protocol", "ok for another user");
        }
        const auto exit = m_helper->finish(m_options.timeout);
        m_helper.reset();
        if (!exit.exited || exit.code != 0) {
            return helperFailure("helper-failed", "ok answer but " + exitText(exit));
        }
        return AuthOutcome{PAM_SUCCESS, "ok",
                           "serial=" + last->serial + " cert=" + last->certSha256 + " holder=" + last->holder};
    }

    ~Flow() {
        if (m_helper) {
            m_helper->finish(kRefusalGrace);
        }
    }
    Flow(const Flow&) = delete;
    Flow& operator=(const Flow&) = delete;

private:
    std::optional<HelperAnswer> readAnswer(Clock::time_point deadline, std::string& error) {
        const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
        std::string line;
        const auto status = m_helper->readLine(line, left.count() > 0 ? left : milliseconds(0));
        if (status != HelperChannel::ReadStatus::Line) {
            error = std::string(statusName(status));
            if (status == HelperChannel::ReadStatus::Closed) {
                error += " (" + exitText(finishHelper()) + ")";
            }
            return std::nullopt;
        }
        auto parsed = parseAnswer(line);
        if (!parsed.answer) {
            error = "unparsable answer: " + parsed.error;
        }
        return parsed.answer;
    }

    // The PIN lives in the conversation's reply only; it is wiped when `reply` goes out of scope.
    bool sendPin(const HelperAnswer& ready, std::string& error) {
        auto reply = m_conversation.askSecret(pinPrompt(m_language, ready.triesLeft, ready.finalTry));
        if (!reply) {
            error = "conversation failed or cancelled";
            return false;
        }
        const std::size_t size = reply->size();
        if (size == 0) {
            error = "empty PIN (not sent to the card)";
            m_conversation.showError(userMessage(RefusalReason::WrongPin, m_language));
            return false;
        }
        if (std::memchr(reply->text(), '\n', size) != nullptr || std::memchr(reply->text(), '\r', size) != nullptr) {
            error = "PIN with a line break (not sent to the card)";
            m_conversation.showError(userMessage(RefusalReason::WrongPin, m_language));
            return false;
        }
        if (!m_helper->sendSecret(reply->text(), size)) {
            error = "helper gone before the PIN was sent";
            return false;
        }
        return true;
    }

    HelperChannel::Exit finishHelper() {
        HelperChannel::Exit exit;
        if (m_helper) {
            exit = m_helper->finish(kRefusalGrace);
            m_helper.reset();
        }
        return exit;
    }

    AuthOutcome refused(const HelperAnswer& answer) {
        finishHelper();
        std::string message = m_language == Language::French ? answer.messageFr : answer.messageEn;
        if (message.empty()) {
            message = userMessage(answer.reason, m_language, answer.triesLeft);
        }
        m_conversation.showError(message);
        return AuthOutcome{pamReturnFor(answer.reason), std::string(toString(answer.reason)), answer.detail};
    }

    AuthOutcome localRefusal(const std::string& why) {
        finishHelper();
        return AuthOutcome{PAM_AUTH_ERR, "not-verified", why};
    }

    // A crash, hang, garbage or missing helper is a refusal: it says nothing about the card.
    AuthOutcome helperFailure(const std::string& reason, const std::string& detail) {
        finishHelper();
        m_conversation.showError(userMessage(RefusalReason::ModuleError, m_language));
        return AuthOutcome{PAM_AUTH_ERR, reason, detail};
    }

    const ModuleOptions& m_options;
    const std::string& m_user;
    Language m_language;
    Conversation& m_conversation;
    std::unique_ptr<HelperChannel> m_helper;
};

} // namespace

SecretReply::~SecretReply() {
    if (m_text) {
        explicit_bzero(m_text, std::strlen(m_text));
        std::free(m_text);
    }
}

std::size_t SecretReply::size() const noexcept {
    return m_text ? std::strlen(m_text) : 0;
}

std::vector<std::string> helperArguments(const ModuleOptions& options, const std::string& user) {
    std::vector<std::string> args{"--user", user};
    if (options.policy) {
        args.insert(args.end(), {"--policy", *options.policy});
    }
    if (options.waitCard.count() > 0) {
        args.insert(args.end(), {"--wait-card", std::to_string(options.waitCard.count())});
    }
    return args;
}

AuthOutcome authenticate(const ModuleOptions& options, const std::string& user, Language language,
                         Conversation& conversation, const HelperLauncher& launch) noexcept {
    try {
        Flow flow(options, user, language, conversation);
        return flow.run(launch);
    } catch (const std::exception& e) {
        return AuthOutcome{PAM_AUTH_ERR, "module-exception", e.what()};
    } catch (...) {
        return AuthOutcome{PAM_AUTH_ERR, "module-exception", "unknown exception"};
    }
}

} // namespace cpslock::pam
