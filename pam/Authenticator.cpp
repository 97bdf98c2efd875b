// SPDX-License-Identifier: EUPL-1.2
#include "pam/Authenticator.h"

#include "pam/PamVerdict.h"
#include "protocol/AuthAnswer.h"

#include <cstdlib>
#include <cstring>
#include <exception>
#include <string_view>

#include <security/_pam_types.h>

namespace cpslock::pam {
namespace {

using Clock = std::chrono::steady_clock;

using protocol::AuthAnswer;

class Flow {
public:
    Flow(const ModuleOptions& options, const std::string& user, Language language, Conversation& conversation)
        : m_options(options), m_user(user), m_language(language), m_conversation(conversation) {}

    AuthOutcome run(const std::optional<std::string>& session, const AuthConnector& connect) {
        auto daemon = connect(authRequest(m_options, m_user, session));
        if (!daemon) {
            return unavailable(daemon.error().message);
        }
        m_daemon = std::move(*daemon);

        auto first = readFirstAnswer();
        if (!first) {
            return daemonFailure(first.error().message);
        }
        if (first->kind == AuthAnswer::Kind::Refused) {
            return refused(*first);
        }
        if (first->kind != AuthAnswer::Kind::Ready) {
            // An "ok" before any PIN was given is a broken or hostile answer, never a success.
            return protocolFailure("answer before the PIN was asked");
        }

        if (auto sent = sendPin(*first); !sent) {
            return localRefusal(sent.error().message);
        }

        const auto last = readAnswer(Clock::now() + m_options.timeout);
        if (!last) {
            return daemonFailure(last.error().message);
        }
        return finalAnswer(*last);
    }

    ~Flow() = default;
    Flow(const Flow&) = delete;
    Flow& operator=(const Flow&) = delete;

private:
    /// First phase: the card and its PIN state, possibly after waiting for the card (said once).
    Result<AuthAnswer> readFirstAnswer() {
        const auto deadline = Clock::now() + m_options.timeout + m_options.waitCard;
        bool toldToInsert = false;
        for (;;) {
            auto answer = readAnswer(deadline);
            if (!answer || answer->kind != AuthAnswer::Kind::WaitingCard) {
                return answer;
            }
            if (!toldToInsert) {
                m_conversation.showInfo(insertCardText(m_language));
                toldToInsert = true;
            }
        }
    }

    /// After the PIN: only a well-formed `ok` for this user is a success.
    AuthOutcome finalAnswer(const AuthAnswer& last) {
        if (last.kind == AuthAnswer::Kind::Refused) {
            return refused(last);
        }
        if (last.kind != AuthAnswer::Kind::Ok) {
            return protocolFailure("expected ok or refused after the PIN");
        }
        if (last.user != m_user) {
            return protocolFailure("ok for another user");
        }
        m_daemon.reset();
        return AuthOutcome{PAM_SUCCESS, "ok",
                           "serial=" + last.serial + " cert=" + last.certSha256 + " holder=" + last.holder,
                           last.ticket};
    }

    Result<AuthAnswer> readAnswer(Clock::time_point deadline) {
        const auto line = protocol::readLineBefore(*m_daemon, deadline);
        if (!line) {
            return line.error();
        }
        if (line->rfind("error ", 0) == 0) {
            // cpslockd refused the request itself (busy, malformed): it could not decide.
            m_serviceError = true;
            return fail("cpslockd: " + *line);
        }
        auto answer = protocol::parseAnswer(*line);
        if (!answer) {
            return fail("unparsable answer: " + answer.error().message);
        }
        return answer;
    }

    // The PIN lives in the conversation's reply only; it is wiped when `reply` goes out of scope.
    Result<void> sendPin(const AuthAnswer& ready) {
        auto reply = m_conversation.askSecret(pinPrompt(m_language, ready.triesLeft, ready.finalTry));
        if (!reply) {
            return fail("conversation failed or cancelled");
        }
        const std::size_t size = reply->size();
        if (size == 0) {
            m_conversation.showError(userMessage(RefusalReason::WrongPin, m_language));
            return fail("empty PIN (not sent to the card)");
        }
        if (std::memchr(reply->text(), '\n', size) != nullptr || std::memchr(reply->text(), '\r', size) != nullptr) {
            m_conversation.showError(userMessage(RefusalReason::WrongPin, m_language));
            return fail("PIN with a line break (not sent to the card)");
        }
        if (!m_daemon->sendSecret(reply->text(), size)) {
            return fail("cpslockd gone before the PIN was sent");
        }
        return {};
    }

    AuthOutcome refused(const AuthAnswer& answer) {
        m_daemon.reset();
        std::string message = m_language == Language::French ? answer.messageFr : answer.messageEn;
        if (message.empty()) {
            message = userMessage(answer.reason, m_language, answer.triesLeft);
        }
        m_conversation.showError(message);
        return AuthOutcome{pamReturnFor(answer.reason), std::string(toString(answer.reason)), answer.detail, {}};
    }

    AuthOutcome localRefusal(const std::string& why) {
        m_daemon.reset();
        return AuthOutcome{PAM_AUTH_ERR, "not-verified", why, {}};
    }

    /// cpslockd cannot be reached or refused the request itself: it could not decide.
    AuthOutcome unavailable(const std::string& detail) {
        m_daemon.reset();
        m_conversation.showError(userMessage(RefusalReason::ServiceUnavailable, m_language));
        return AuthOutcome{pamReturnFor(RefusalReason::ServiceUnavailable),
                           std::string(toString(RefusalReason::ServiceUnavailable)),
                           detail,
                           {}};
    }

    // A hang, garbage or a connection closed without an answer is a refusal: it says nothing about the card.
    AuthOutcome daemonFailure(const std::string& detail) {
        if (m_serviceError)
            return unavailable(detail);
        m_daemon.reset();
        m_conversation.showError(userMessage(RefusalReason::ModuleError, m_language));
        return AuthOutcome{PAM_AUTH_ERR, "daemon-failed", detail, {}};
    }

    AuthOutcome protocolFailure(const std::string& detail) {
        m_daemon.reset();
        m_conversation.showError(userMessage(RefusalReason::ModuleError, m_language));
        return AuthOutcome{PAM_AUTH_ERR, "daemon-protocol", detail, {}};
    }

    const ModuleOptions& m_options;
    const std::string& m_user;
    Language m_language;
    Conversation& m_conversation;
    std::unique_ptr<AuthChannel> m_daemon;
    bool m_serviceError = false;
};

} // namespace

SecretReply::~SecretReply() {
    if (m_text) {
        explicit_bzero(m_text, std::strlen(m_text));
        std::free(m_text);
        m_text = nullptr;
    }
}

std::size_t SecretReply::size() const noexcept {
    return m_text ? std::strlen(m_text) : 0;
}

protocol::Request authRequest(const ModuleOptions& options, const std::string& user,
                              const std::optional<std::string>& session) {
    protocol::Request request{protocol::Verb::Auth, {{"user", user}}};
    if (session && protocol::validSessionId(*session)) {
        request.fields["session"] = *session;
    }
    if (options.waitCard.count() > 0) {
        request.fields["wait"] = std::to_string(options.waitCard.count());
    }
    if (options.timeout != ModuleOptions{}.timeout) {
        request.fields["timeout"] = std::to_string(options.timeout.count());
    }
    return request;
}

AuthOutcome authenticate(const ModuleOptions& options, const std::string& user,
                         const std::optional<std::string>& session, Language language, Conversation& conversation,
                         const AuthConnector& connect) noexcept {
    try {
        Flow flow(options, user, language, conversation);
        return flow.run(session, connect);
    } catch (const std::exception& e) {
        return AuthOutcome{PAM_AUTH_ERR, "module-exception", e.what(), {}};
    } catch (...) {
        return AuthOutcome{PAM_AUTH_ERR, "module-exception", "unknown exception", {}};
    }
}

} // namespace cpslock::pam
