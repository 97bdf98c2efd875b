// SPDX-License-Identifier: EUPL-1.2
#include "protocol/Request.h"

#include "protocol/Fields.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <set>

namespace cpslock::protocol {
namespace {

struct VerbSpec {
    Verb verb;
    std::string_view name;
    std::set<std::string_view> required;
    std::set<std::string_view> optional;
};

const std::array<VerbSpec, 7>& verbSpecs() {
    static const std::array<VerbSpec, 7> specs{{
        {Verb::Auth, "auth", {"user"}, {"session", "wait", "timeout"}},
        {Verb::Attach, "attach", {"ticket", "session"}, {}},
        {Verb::SessionCard, "session-card", {"session"}, {}},
        {Verb::SessionLocked, "session-locked", {"session", "generation"}, {}},
        {Verb::ReportLost, "report-lost", {}, {"session", "serial"}},
        {Verb::Ping, "ping", {}, {}},
        {Verb::CardInfo, "card-info", {"reader"}, {}},
    }};
    return specs;
}

Result<void> failUnless(bool valid, const char* why) {
    if (valid)
        return {};
    return fail(why);
}

// Each known key has one syntax, whatever the verb.
Result<void> checkValue(const std::string& key, const std::string& value) {
    if (key == "user")
        return checkUserName(value);
    if (key == "session")
        return failUnless(validSessionId(value), "session: not a logind session id");
    if (key == "ticket")
        return failUnless(validTicket(value), "ticket: 32 lower-case hex digits");
    if (key == "serial")
        return failUnless(validSerial(value), "serial: 1 to 20 digits");
    if (key == "wait")
        return failUnless(parseUnsigned(value, 600).has_value(), "wait: 0 to 600 seconds");
    if (key == "reader") {
        const bool printable = std::all_of(value.begin(), value.end(),
                                           [](char c) { return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f; });
        return failUnless(!value.empty() && value.size() <= 256 && printable, "reader: 1 to 256 printable bytes");
    }
    if (key == "timeout")
        return failUnless(parseUnsigned(value, 600).value_or(0) >= 1, "timeout: 1 to 600 seconds");
    if (key == "generation")
        return failUnless(parseUnsigned(value, UINT64_MAX).has_value(), "generation: a number");
    return fail("unknown key " + escapeField(key));
}

} // namespace

std::string_view toString(Verb verb) {
    for (const auto& spec : verbSpecs()) {
        if (spec.verb == verb)
            return spec.name;
    }
    return "?";
}

std::string Request::get(const std::string& key) const {
    const auto it = fields.find(key);
    return it == fields.end() ? std::string() : it->second;
}

std::string Reply::get(const std::string& key) const {
    const auto it = fields.find(key);
    return it == fields.end() ? std::string() : it->second;
}

Result<Request> parseRequest(std::string_view line) {
    if (line.size() > kMaxLineLength)
        return fail("request longer than " + std::to_string(kMaxLineLength) + " bytes");
    const auto words = splitWords(line);
    const auto spec = std::find_if(verbSpecs().begin(), verbSpecs().end(),
                                   [&words](const VerbSpec& s) { return s.name == words.front(); });
    if (spec == verbSpecs().end())
        return fail("unknown request");
    auto fields = parseFields(words, 1);
    if (!fields)
        return fields.error();
    for (const auto& [key, value] : *fields) {
        if (!spec->required.count(key) && !spec->optional.count(key))
            return fail(std::string(spec->name) + ": unexpected key " + escapeField(key));
        if (auto valid = checkValue(key, value); !valid)
            return valid.error();
    }
    for (const auto key : spec->required) {
        if (!fields->count(std::string(key)))
            return fail(std::string(spec->name) + ": missing " + std::string(key));
    }
    return Request{spec->verb, std::move(*fields)};
}

std::string formatRequest(const Request& request) {
    std::string line(toString(request.verb));
    for (const auto& [key, value] : request.fields)
        appendField(line, key, value);
    return finishLine(std::move(line));
}

Result<Reply> parseReply(std::string_view line) {
    if (line.size() > kMaxLineLength)
        return fail("reply too long");
    const auto words = splitWords(line);
    Reply reply;
    std::size_t first = 1;
    if (words.front() == "done") {
        reply.ok = true;
    } else if (words.front() == "error" && words.size() >= 2 && !words[1].empty() &&
               words[1].find('=') == std::string_view::npos) {
        reply.code = std::string(words[1]);
        first = 2;
    } else {
        return fail("not a reply");
    }
    auto fields = parseFields(words, first);
    if (!fields)
        return fields.error();
    reply.fields = std::move(*fields);
    return reply;
}

std::string formatReply(const Reply& reply) {
    std::string line =
        reply.ok ? std::string("done") : "error " + escapeField(reply.code.empty() ? "internal" : reply.code);
    for (const auto& [key, value] : reply.fields)
        appendField(line, key, value);
    return finishLine(std::move(line));
}

Reply errorReply(std::string code, std::string detail) {
    Reply reply;
    reply.code = std::move(code);
    reply.fields["detail"] = std::move(detail);
    return reply;
}

Result<void> checkUserName(std::string_view user) {
    if (user.empty())
        return fail("empty user name");
    if (user.size() > 256)
        return fail("user name longer than 256 bytes");
    for (const char c : user) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x21 || byte == 0x7f)
            return fail("control character or space in the user name");
        if (c == '/')
            return fail("'/' in the user name");
    }
    if (user.front() == '-')
        return fail("user name starting with '-'");
    return {};
}

bool validSessionId(std::string_view id) {
    return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}

bool validSerial(std::string_view serial) {
    return !serial.empty() && serial.size() <= 20 &&
           std::all_of(serial.begin(), serial.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool validTicket(std::string_view ticket) {
    return ticket.size() == 32 && std::all_of(ticket.begin(), ticket.end(),
                                              [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::optional<std::uint64_t> parseUnsigned(std::string_view text, std::uint64_t max) {
    std::uint64_t value = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || text.size() > 20 || ec != std::errc{} || ptr != end || value > max)
        return std::nullopt;
    return value;
}

} // namespace cpslock::protocol
