// SPDX-License-Identifier: EUPL-1.2
#include "protocol/AuthAnswer.h"

#include <charconv>
#include <map>
#include <vector>

namespace cpslock::protocol {
namespace {

ParsedAnswer fail(std::string why) {
    return ParsedAnswer{std::nullopt, std::move(why)};
}

std::optional<int> parseTries(std::string_view text) {
    int value = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc{} || ptr != end || value < 0 || value > 99)
        return std::nullopt;
    return value;
}

std::string triesField(const std::optional<int>& tries) {
    return tries ? std::to_string(*tries) : std::string("?");
}

} // namespace

ParsedAnswer parseAnswer(std::string_view line) {
    if (line.size() > kMaxLineLength)
        return fail("line longer than " + std::to_string(kMaxLineLength) + " bytes");
    const auto parts = splitWords(line);
    const std::string_view verb = parts.front();
    AuthAnswer answer;
    std::size_t firstField = 1;
    if (verb == "waiting-card") {
        answer.kind = AuthAnswer::Kind::WaitingCard;
    } else if (verb == "ready") {
        answer.kind = AuthAnswer::Kind::Ready;
    } else if (verb == "ok") {
        answer.kind = AuthAnswer::Kind::Ok;
    } else if (verb == "refused") {
        answer.kind = AuthAnswer::Kind::Refused;
        if (parts.size() < 2)
            return fail("refused without a reason");
        const auto reason = refusalReasonFromString(parts[1]);
        if (!reason)
            return fail("unknown refusal reason");
        answer.reason = *reason;
        firstField = 2;
    } else {
        return fail("unknown verb");
    }

    std::string error;
    auto fields = parseFields(parts, firstField, error);
    if (!fields)
        return fail(error);
    const auto take = [&fields](const char* key) {
        const auto it = fields->find(key);
        return it == fields->end() ? std::string() : it->second;
    };

    if (answer.kind == AuthAnswer::Kind::Ready || answer.kind == AuthAnswer::Kind::Refused) {
        const auto it = fields->find("tries");
        if (it != fields->end() && it->second != "?") {
            answer.triesLeft = parseTries(it->second);
            if (!answer.triesLeft)
                return fail("bad tries");
        }
    }
    switch (answer.kind) {
    case AuthAnswer::Kind::WaitingCard:
        break;
    case AuthAnswer::Kind::Ready: {
        const std::string finalTry = take("final");
        if (finalTry != "0" && finalTry != "1")
            return fail("ready needs final=0 or final=1");
        answer.finalTry = finalTry == "1";
        answer.reader = take("reader");
        break;
    }
    case AuthAnswer::Kind::Refused:
        answer.messageFr = take("fr");
        answer.messageEn = take("en");
        answer.detail = take("detail");
        break;
    case AuthAnswer::Kind::Ok:
        answer.user = take("user");
        if (answer.user.empty())
            return fail("ok without user");
        answer.reader = take("reader");
        answer.serial = take("serial");
        answer.certSha256 = take("cert");
        answer.holder = take("holder");
        answer.ticket = take("ticket");
        answer.policies = take("policies");
        answer.cardType = take("type");
        answer.issuerKeyId = take("issuer");
        break;
    }
    return ParsedAnswer{answer, {}};
}

std::string formatAnswer(const AuthAnswer& answer) {
    std::string line;
    switch (answer.kind) {
    case AuthAnswer::Kind::WaitingCard:
        line = "waiting-card";
        break;
    case AuthAnswer::Kind::Ready:
        line = "ready tries=" + triesField(answer.triesLeft) + (answer.finalTry ? " final=1" : " final=0");
        appendField(line, "reader", answer.reader);
        break;
    case AuthAnswer::Kind::Refused:
        line = "refused " + std::string(toString(answer.reason)) + " tries=" + triesField(answer.triesLeft);
        appendField(line, "fr", answer.messageFr);
        appendField(line, "en", answer.messageEn);
        appendField(line, "detail", answer.detail);
        break;
    case AuthAnswer::Kind::Ok:
        line = "ok";
        appendField(line, "user", answer.user);
        appendField(line, "reader", answer.reader);
        appendField(line, "serial", answer.serial);
        appendField(line, "cert", answer.certSha256);
        if (!answer.ticket.empty())
            appendField(line, "ticket", answer.ticket);
        if (!answer.policies.empty())
            appendField(line, "policies", answer.policies);
        if (!answer.cardType.empty())
            appendField(line, "type", answer.cardType);
        if (!answer.issuerKeyId.empty())
            appendField(line, "issuer", answer.issuerKeyId);
        appendField(line, "holder", answer.holder);
        break;
    }
    return finishLine(std::move(line));
}

AuthAnswer refusedAnswer(const Refusal& refusal) {
    AuthAnswer answer;
    answer.kind = AuthAnswer::Kind::Refused;
    answer.reason = refusal.reason;
    answer.triesLeft = refusal.triesLeft;
    answer.messageFr = refusal.messageFr();
    answer.messageEn = refusal.messageEn();
    answer.detail = refusal.detail;
    return answer;
}

} // namespace cpslock::protocol
