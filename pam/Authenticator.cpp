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

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

using protocol::AuthAnswer;

class Flow {
public:
    Flow(const ModuleOptions& options, const std::string& user, Language language, Conversation& conversation)
        : m_options(options), m_user(user), m_language(language), m_conversation(conversation) {}

    AuthOutcome run(const std::optional<std::string>& session, const AuthConnector& connect) {
        std::string error;
        m_daemon = connect(authRequest(m_options, m_user, session), error);
        if (!m_daemon) {
            return unavailable(error);
        }

        // First phase: the card and its PIN state, possibly after waiting for the card.
        const auto firstDeadline = Clock::now() + m_options.timeout + m_options.waitCard;
        std::optional<AuthAnswer> first;
        bool toldToInsert = false;
        for (;;) {
            first = readAnswer(firstDeadline, error);
            if (!first) {
                return daemonFailure(error);
            }
            if (first->kind != AuthAnswer::Kind::WaitingCard) {
                break;
            }
            if (!toldToInsert) {
                m_conversation.showInfo(insertCardText(m_language));
                toldToInsert = true;
            }
        }
        if (first->kind == AuthAnswer::Kind::Refused) {
            return refused(*first);
        }
        if (first->kind != AuthAnswer::Kind::Ready) {
            // An "ok" before any PIN was given is a broken or hostile answer, never a success.
            return protocolFailure("answer before the PIN was asked");
        }

        if (!sendPin(*first, error)) {
            return localRefusal(error);
        }

        const auto last = readAnswer(Clock::now() + m_options.timeout, error);
        if (!last) {
            return daemonFailure(error);
        }
        if (last->kind == AuthAnswer::Kind::Refused) {
            return refused(*last);
        }
        if (last->kind != AuthAnswer::Kind::Ok) {
            return protocolFailure("expected ok or refused after the PIN");
        }
        if (last->user != m_user) {
            return protocolFailure("ok for another user");
        }
        m_daemon.reset();
        return AuthOutcome{PAM_SUCCESS, "ok",
                           "serial=" + last->serial + " cert=" + last->certSha256 + " holder=" + last->holder,
                           last->ticket};
    }

    ~Flow() = default;
    Flow(const Flow&) = delete;
    Flow& operator=(const Flow&) = delete;

private:
    std::optional<AuthAnswer> readAnswer(Clock::time_point deadline, std::string& error) {
        const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
        std::string line;
        const auto status = m_daemon->readLine(line, left.count() > 0 ? left : milliseconds(0));
        if (status != AuthChannel::ReadStatus::Line) {
            error = std::string(protocol::LineSocket::statusName(status));
            return std::nullopt;
        }
        if (line.rfind("error ", 0) == 0) {
            // cpslockd refused the request itself (busy, malformed): it could not decide.
            m_serviceError = true;
            error = "cpslockd: " + line;
            return std::nullopt;
        }
        auto parsed = protocol::parseAnswer(line);
        if (!parsed.answer) {
            error = "unparsable answer: " + parsed.error;
        }
        return parsed.answer;
    }

    // The PIN lives in the conversation's reply only; it is wiped when `reply` goes out of scope.
    bool sendPin(const AuthAnswer& ready, std::string& error) {
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
        if (!m_daemon->sendSecret(reply->text(), size)) {
            error = "cpslockd gone before the PIN was sent";
            return false;
        }
        return true;
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
                           std::string(toString(RefusalReason::ServiceUnavailable)), detail, {}};
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
