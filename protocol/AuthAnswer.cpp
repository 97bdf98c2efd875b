// SPDX-License-Identifier: EUPL-1.2
#include "protocol/AuthAnswer.h"

#include <charconv>
#include <map>
#include <vector>

namespace cpslock::protocol {
namespace {

using Fields = std::map<std::string, std::string>;

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

std::string take(const Fields& fields, const char* key) {
    const auto it = fields.find(key);
    return it == fields.end() ? std::string() : it->second;
}

/// The verb (and a refusal's reason) into `answer`; the index of the first key=value word.
Result<std::size_t> parseVerb(const std::vector<std::string_view>& parts, AuthAnswer& answer) {
    const std::string_view verb = parts.front();
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
        return std::size_t{2};
    } else {
        return fail("unknown verb");
    }
    return std::size_t{1};
}

/// `tries=` of ready and refused: absent or "?" when the card did not tell.
Result<void> readTries(const Fields& fields, AuthAnswer& answer) {
    if (answer.kind != AuthAnswer::Kind::Ready && answer.kind != AuthAnswer::Kind::Refused)
        return {};
    const auto it = fields.find("tries");
    if (it == fields.end() || it->second == "?")
        return {};
    answer.triesLeft = parseTries(it->second);
    if (!answer.triesLeft)
        return fail("bad tries");
    return {};
}

/// The fields each kind carries.
Result<void> readKindFields(const Fields& fields, AuthAnswer& answer) {
    switch (answer.kind) {
    case AuthAnswer::Kind::WaitingCard: break;
    case AuthAnswer::Kind::Ready: {
        const std::string finalTry = take(fields, "final");
        if (finalTry != "0" && finalTry != "1")
            return fail("ready needs final=0 or final=1");
        answer.finalTry = finalTry == "1";
        answer.reader = take(fields, "reader");
        break;
    }
    case AuthAnswer::Kind::Refused:
        answer.messageFr = take(fields, "fr");
        answer.messageEn = take(fields, "en");
        answer.detail = take(fields, "detail");
        break;
    case AuthAnswer::Kind::Ok:
        answer.user = take(fields, "user");
        if (answer.user.empty())
            return fail("ok without user");
        answer.reader = take(fields, "reader");
        answer.serial = take(fields, "serial");
        answer.certSha256 = take(fields, "cert");
        answer.holder = take(fields, "holder");
        answer.ticket = take(fields, "ticket");
        answer.policies = take(fields, "policies");
        answer.cardType = take(fields, "type");
        answer.issuerKeyId = take(fields, "issuer");
        break;
    }
    return {};
}

} // namespace

Result<AuthAnswer> parseAnswer(std::string_view line) {
    if (line.size() > kMaxLineLength)
        return fail("line longer than " + std::to_string(kMaxLineLength) + " bytes");
    const auto parts = splitWords(line);
    AuthAnswer answer;
    const auto firstField = parseVerb(parts, answer);
    if (!firstField)
        return firstField.error();
    const auto fields = parseFields(parts, *firstField);
    if (!fields)
        return fields.error();
    if (auto tries = readTries(*fields, answer); !tries)
        return tries.error();
    if (auto rest = readKindFields(*fields, answer); !rest)
        return rest.error();
    return answer;
}

std::string formatAnswer(const AuthAnswer& answer) {
    std::string line;
    switch (answer.kind) {
    case AuthAnswer::Kind::WaitingCard: line = "waiting-card"; break;
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
