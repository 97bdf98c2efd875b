// SPDX-License-Identifier: EUPL-1.2
#include "daemon/worker/WorkerSession.h"

#include "core/SecureBuffer.h"
#include "core/WriteAll.h"

#include <cerrno>
#include <charconv>

#include <unistd.h>

namespace cpslock::worker {
using protocol::AuthAnswer;
using protocol::refusedAnswer;

namespace {

/// The value of one argument into `parsed`.
Result<void> takeArgument(std::string_view name, std::string_view value, WorkerArgs& parsed) {
    if (name == "--user") {
        if (value.empty())
            return fail("--user is empty");
        parsed.user = std::string(value);
    } else if (name == "--inspect") {
        if (value.empty())
            return fail("--inspect needs a reader name");
        parsed.inspectReader = std::string(value);
    } else if (name == "--policy") {
        if (value.empty() || value.front() != '/')
            return fail("--policy needs an absolute path");
        parsed.policy = std::string(value);
    } else {
        long seconds = -1;
        const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
        if (ec != std::errc{} || ptr != value.data() + value.size() || seconds < 0 || seconds > 600)
            return fail("--wait-card needs whole seconds from 0 to 600");
        parsed.waitCard = std::chrono::seconds(seconds);
    }
    return {};
}

} // namespace

Result<WorkerArgs> parseWorkerArgs(std::span<const std::string_view> args) {
    WorkerArgs parsed;
    bool haveUser = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view name = args[i];
        if (name != "--user" && name != "--policy" && name != "--wait-card" && name != "--inspect")
            return fail("unknown argument \"" + std::string(name) + "\"");
        if (i + 1 >= args.size())
            return fail(std::string(name) + " needs a value");
        if (auto taken = takeArgument(name, args[++i], parsed); !taken)
            return taken.error();
        haveUser = haveUser || name == "--user";
    }
    if (!haveUser && !parsed.inspectReader)
        return fail("--user is required");
    return parsed;
}

AuthAnswer answerFor(const card::VerifyResult& result, const std::string& user) {
    if (result.refusal)
        return refusedAnswer(*result.refusal);
    AuthAnswer answer;
    answer.kind = AuthAnswer::Kind::Ok;
    answer.user = user;
    answer.reader = result.card ? result.card->reader : std::string();
    answer.serial = result.card ? result.card->serial : std::string();
    answer.certSha256 = result.certSha256;
    // What the card-profile checks read, for cpslockd's audit (issue 11: the full policy OIDs).
    for (const auto& oid : result.profile.policyOids)
        answer.policies += (answer.policies.empty() ? "" : ",") + oid;
    if (result.profile.cardType)
        answer.cardType = std::string(card::toString(*result.profile.cardType));
    answer.issuerKeyId = result.profile.issuerKeyId;
    if (result.holder) {
        answer.holder = result.holder->givenName + " " + result.holder->surname + " (" + result.holder->idNat + ")";
    }
    return answer;
}

protocol::Reply inspectReply(const card::CardReport& report) {
    if (report.refusal) {
        protocol::Reply reply = protocol::errorReply("check-failed", report.refusal->detail);
        reply.fields["reason"] = std::string(toString(report.refusal->reason));
        return reply;
    }
    protocol::Reply reply;
    reply.ok = true;
    if (report.card)
        reply.fields["serial"] = report.card->serial;
    if (report.holder) {
        std::string name = report.holder->givenName;
        if (!report.holder->surname.empty())
            name += (name.empty() ? "" : " ") + report.holder->surname;
        reply.fields["holder"] = name;
        reply.fields["profession"] = report.holder->profession;
    }
    if (report.certificate) {
        reply.fields["cert"] = report.certificate->sha256Hex;
        reply.fields["not_after"] = std::to_string(
            std::chrono::duration_cast<std::chrono::seconds>(report.certificate->notAfter.time_since_epoch()).count());
    }
    if (report.triesLeft)
        reply.fields["tries"] = std::to_string(*report.triesLeft);
    reply.fields["locked"] = report.pinLocked ? "1" : "0";
    if (report.certificateRefusal)
        reply.fields["refusal"] = std::string(toString(report.certificateRefusal->reason));
    return reply;
}

bool writeAnswer(int fd, const AuthAnswer& answer) {
    return writeAll(fd, protocol::formatAnswer(answer), WriteCall::Write);
}

int runWorkerSession(CardCheck& check, const WorkerArgs& args, int in, int out) {
    card::CardReady ready;
    card::VerifyResult first = check.prepare(ready);

    if (first.refusal && first.refusal->reason == RefusalReason::NoCard && args.waitCard.count() > 0) {
        AuthAnswer waiting;
        waiting.kind = AuthAnswer::Kind::WaitingCard;
        if (!writeAnswer(out, waiting))
            return kExitNoPin;
        const auto deadline = std::chrono::steady_clock::now() + args.waitCard;
        // Event-driven: prepare() again only after pcscd reported a card (or came back).
        while (first.refusal && first.refusal->reason == RefusalReason::NoCard && check.waitForCardEvent(deadline)) {
            ready = card::CardReady{};
            first = check.prepare(ready);
        }
    }
    if (first.refusal) {
        writeAnswer(out, refusedAnswer(*first.refusal));
        return kExitRefused;
    }

    AuthAnswer readyLine;
    readyLine.kind = AuthAnswer::Kind::Ready;
    readyLine.triesLeft = ready.triesLeft;
    readyLine.finalTry = ready.finalTry;
    readyLine.reader = ready.card.reader;
    if (!writeAnswer(out, readyLine))
        return kExitNoPin;

    SecureBuffer pin;
    switch (pin.readLine(in)) {
    case SecureBuffer::ReadStatus::Ok: break;
    case SecureBuffer::ReadStatus::TooLong:
        // Never sent to the card: a PIN this long cannot be right, and must not cost a try.
        writeAnswer(out, refusedAnswer(Refusal{RefusalReason::WrongPin, "PIN longer than the buffer", {}}));
        return kExitRefused;
    case SecureBuffer::ReadStatus::EndOfFile:
    case SecureBuffer::ReadStatus::IoError: return kExitNoPin;
    }
    if (pin.empty()) {
        writeAnswer(out, refusedAnswer(Refusal{RefusalReason::WrongPin, "empty PIN", {}}));
        return kExitRefused;
    }
    const card::VerifyResult result = check.verify(pin);
    pin.clear();
    const AuthAnswer answer = answerFor(result, args.user);
    if (!writeAnswer(out, answer))
        return kExitNoPin;
    return answer.kind == AuthAnswer::Kind::Ok ? kExitVerified : kExitRefused;
}

} // namespace cpslock::worker
