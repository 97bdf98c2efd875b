// SPDX-License-Identifier: EUPL-1.2
#include "daemon/AuthRelay.h"

#include "core/SecureBuffer.h"

#include <algorithm>

namespace cpslock::daemon {
namespace {

using protocol::AuthAnswer;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr milliseconds kExitGrace{2000};
constexpr milliseconds kEndGrace{500};

class Relay {
public:
    Relay(protocol::LineSocket& caller, const Caller& who, const protocol::Request& request, Authority& authority,
          const WorkerSettings& settings)
        : m_caller(caller), m_who(who), m_request(request), m_authority(authority), m_settings(settings),
          m_user(request.get("user")), m_stepTimeout(settings.stepTimeout) {}

    ~Relay() {
        // End of file first: a worker waiting for the PIN ends by itself; a hung one is killed.
        if (m_worker)
            m_worker->finish(kEndGrace);
    }
    Relay(const Relay&) = delete;
    Relay& operator=(const Relay&) = delete;

    AuthOutcome run(const WorkerLauncher& launch) {
        // The caller may shorten the steps (its own time limit, the module's timeout=), never lengthen them.
        if (const auto asked = protocol::parseUnsigned(m_request.get("timeout"), 600))
            m_stepTimeout = std::min<std::chrono::seconds>(m_stepTimeout, std::chrono::seconds(*asked));
        if (auto allowed = m_authority.mayAuthenticate(m_who, m_user); !allowed)
            return refuse(RefusalReason::NotMapped, "request refused: " + allowed.error().message);

        std::vector<std::string> args{"--user", m_user};
        if (m_settings.policyFile)
            args.insert(args.end(), {"--policy", *m_settings.policyFile});
        const std::string wait = m_request.get("wait");
        if (!wait.empty() && wait != "0")
            args.insert(args.end(), {"--wait-card", wait});
        auto worker = launch(args);
        if (!worker)
            return refuse(RefusalReason::CheckFailed, "card worker not started: " + worker.error().message);
        m_worker = std::move(*worker);

        const auto waitSeconds = std::chrono::seconds(protocol::parseUnsigned(wait, 600).value_or(0));
        return untilReady(Clock::now() + m_stepTimeout + waitSeconds);
    }

private:
    /// First phase: `waiting-card` lines pass through until the worker is ready for the PIN (or refuses).
    AuthOutcome untilReady(Clock::time_point deadline) {
        for (;;) {
            auto first = readWorker(deadline);
            if (!first)
                return refuse(RefusalReason::CheckFailed, "card worker: " + first.error().message);
            const AuthAnswer::Kind kind = first->kind;
            if (kind == AuthAnswer::Kind::Refused)
                return pass(*first);
            if (kind != AuthAnswer::Kind::WaitingCard && kind != AuthAnswer::Kind::Ready)
                return refuse(RefusalReason::CheckFailed, "card worker answered before the PIN was asked");
            if (!m_caller.writeAll(protocol::formatAnswer(*first)))
                return gone();
            if (kind == AuthAnswer::Kind::Ready)
                return afterPin();
        }
    }

    /// Second phase: the PIN goes through; only a clean `ok` for this user, not reported lost, is accepted.
    AuthOutcome afterPin() {
        // A PIN that did not reach the card is not the card's answer: audited as such, not told.
        if (auto sent = relayPin(); !sent)
            return refuse(RefusalReason::CheckFailed, sent.error().message, false);

        auto last = readWorker(Clock::now() + m_stepTimeout);
        if (!last)
            return refuse(RefusalReason::CheckFailed, "card worker: " + last.error().message);
        if (last->kind == AuthAnswer::Kind::Refused)
            return pass(*last);
        if (last->kind != AuthAnswer::Kind::Ok)
            return refuse(RefusalReason::CheckFailed, "card worker: expected ok or refused after the PIN");
        if (last->user != m_user)
            return refuse(RefusalReason::CheckFailed, "card worker: ok for another user");
        const auto exit = m_worker->finish(kExitGrace);
        m_worker.reset();
        if (!exit.exited || exit.code != 0)
            return refuse(RefusalReason::CheckFailed, "card worker: ok answer but it did not exit cleanly");
        if (auto kept = m_authority.checkLostReports(last->serial); !kept)
            return refuse(kept.error().reason, kept.error().detail);
        return accept(*last);
    }

    Result<AuthAnswer> readWorker(Clock::time_point deadline) {
        const auto line = protocol::readLineBefore(*m_worker, deadline);
        if (!line)
            return line.error();
        auto answer = protocol::parseAnswer(*line);
        if (!answer)
            return fail("unparsable answer: " + answer.error().message);
        return answer;
    }

    /// The PIN, from the caller to the worker through one locked buffer.
    Result<void> relayPin() {
        SecureBuffer pin;
        const auto status = m_caller.readSecretLine(pin, m_settings.pinTimeout);
        if (status != protocol::LineSocket::ReadStatus::Line)
            return fail("no PIN from the caller (" + std::string(protocol::LineSocket::statusName(status)) + ")");
        const bool sent = m_worker->sendSecret(pin.data(), pin.size());
        pin.clear();
        if (!sent)
            return fail("card worker gone before the PIN was sent");
        return {};
    }

    AuthOutcome pass(const AuthAnswer& answer) {
        AuthOutcome outcome;
        outcome.final = answer;
        outcome.delivered = m_caller.writeAll(protocol::formatAnswer(answer));
        return outcome;
    }

    AuthOutcome refuse(RefusalReason reason, std::string detail, bool tell = true) {
        AuthAnswer answer = protocol::refusedAnswer(Refusal{reason, std::move(detail), std::nullopt});
        if (!tell) {
            AuthOutcome outcome;
            outcome.final = answer;
            return outcome;
        }
        return pass(answer);
    }

    AuthOutcome gone() {
        AuthOutcome outcome;
        outcome.final = protocol::refusedAnswer(Refusal{RefusalReason::ModuleError, "caller went away", std::nullopt});
        return outcome;
    }

    AuthOutcome accept(AuthAnswer answer) {
        VerifiedCard card{answer.reader, answer.serial, answer.certSha256, answer.holder, 0};
        std::optional<std::string> session;
        if (m_request.has("session"))
            session = m_request.get("session");
        const auto recorded = m_authority.recordVerification(m_who, m_user, session, card);
        answer.ticket = recorded.ticket;
        AuthOutcome outcome = pass(answer);
        outcome.attached = recorded.attached;
        outcome.attachNote = recorded.note;
        return outcome;
    }

    protocol::LineSocket& m_caller;
    const Caller& m_who;
    const protocol::Request& m_request;
    Authority& m_authority;
    const WorkerSettings& m_settings;
    std::string m_user;
    std::chrono::seconds m_stepTimeout;
    std::unique_ptr<WorkerChannel> m_worker;
};

} // namespace

AuthOutcome relayAuth(protocol::LineSocket& caller, const Caller& who, const protocol::Request& request,
                      Authority& authority, const WorkerSettings& settings, const WorkerLauncher& launch) {
    Relay relay(caller, who, request, authority, settings);
    return relay.run(launch);
}

protocol::Reply relayCardInfo(const protocol::Request& request, const WorkerSettings& settings,
                              const WorkerLauncher& launch) {
    std::vector<std::string> args{"--inspect", request.get("reader")};
    if (settings.policyFile)
        args.insert(args.end(), {"--policy", *settings.policyFile});
    auto worker = launch(args);
    if (!worker)
        return protocol::errorReply("check-failed", "card worker not started: " + worker.error().message);
    std::string line;
    const auto status = (*worker)->readLine(line, settings.stepTimeout);
    (*worker)->finish(kEndGrace);
    if (status != WorkerChannel::ReadStatus::Line)
        return protocol::errorReply("check-failed",
                                    "card worker: " + std::string(protocol::LineSocket::statusName(status)));
    auto reply = protocol::parseReply(line);
    if (!reply)
        return protocol::errorReply("check-failed", "card worker: unparsable reply: " + reply.error().message);
    return *reply;
}

} // namespace cpslock::daemon
