#include "pam/HelperProtocol.h"

#include <charconv>
#include <map>
#include <vector>

namespace cpslock::pam {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";

bool mustEscape(unsigned char c) {
    return c < 0x21 || c == 0x7f || c == '%' || c == '=';
}

int hexValue(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

std::vector<std::string_view> splitSpaces(std::string_view line) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (start <= line.size()) {
        const auto space = line.find(' ', start);
        const auto end = space == std::string_view::npos ? line.size() : space;
        parts.push_back(line.substr(start, end - start));
        if (space == std::string_view::npos)
            break;
        start = space + 1;
    }
    return parts;
}

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

std::string escapeField(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (const char c : value) {
        const auto byte = static_cast<unsigned char>(c);
        if (mustEscape(byte)) {
            out += '%';
            out += kHex[byte >> 4];
            out += kHex[byte & 0x0f];
        } else {
            out += c;
        }
    }
    return out;
}

std::optional<std::string> unescapeField(std::string_view field) {
    std::string out;
    out.reserve(field.size());
    for (std::size_t i = 0; i < field.size(); ++i) {
        const auto byte = static_cast<unsigned char>(field[i]);
        if (byte < 0x21 || byte == 0x7f)
            return std::nullopt;
        if (field[i] != '%') {
            out += field[i];
            continue;
        }
        if (i + 2 >= field.size())
            return std::nullopt;
        const int hi = hexValue(field[i + 1]);
        const int lo = hexValue(field[i + 2]);
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
            return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

ParsedAnswer parseAnswer(std::string_view line) {
    if (line.size() > kMaxLineLength)
        return fail("line longer than " + std::to_string(kMaxLineLength) + " bytes");
    const auto parts = splitSpaces(line);
    const std::string_view verb = parts.front();
    HelperAnswer answer;
    std::size_t firstField = 1;
    if (verb == "waiting-card") {
        answer.kind = HelperAnswer::Kind::WaitingCard;
    } else if (verb == "ready") {
        answer.kind = HelperAnswer::Kind::Ready;
    } else if (verb == "ok") {
        answer.kind = HelperAnswer::Kind::Ok;
    } else if (verb == "refused") {
        answer.kind = HelperAnswer::Kind::Refused;
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

    std::map<std::string_view, std::string> fields;
    for (std::size_t i = firstField; i < parts.size(); ++i) {
        const auto eq = parts[i].find('=');
        if (eq == std::string_view::npos || eq == 0)
            return fail("field without key=value");
        const auto key = parts[i].substr(0, eq);
        auto value = unescapeField(parts[i].substr(eq + 1));
        if (!value)
            return fail("bad escape in field " + std::string(key));
        if (!fields.emplace(key, std::move(*value)).second)
            return fail("duplicate field " + std::string(key));
    }
    const auto take = [&fields](std::string_view key) {
        const auto it = fields.find(key);
        return it == fields.end() ? std::string() : it->second;
    };

    if (answer.kind == HelperAnswer::Kind::Ready || answer.kind == HelperAnswer::Kind::Refused) {
        const auto it = fields.find("tries");
        if (it != fields.end() && it->second != "?") {
            answer.triesLeft = parseTries(it->second);
            if (!answer.triesLeft)
                return fail("bad tries");
        }
    }
    switch (answer.kind) {
    case HelperAnswer::Kind::WaitingCard:
        break;
    case HelperAnswer::Kind::Ready: {
        const std::string finalTry = take("final");
        if (finalTry != "0" && finalTry != "1")
            return fail("ready needs final=0 or final=1");
        answer.finalTry = finalTry == "1";
        answer.reader = take("reader");
        break;
    }
    case HelperAnswer::Kind::Refused:
        answer.messageFr = take("fr");
        answer.messageEn = take("en");
        answer.detail = take("detail");
        break;
    case HelperAnswer::Kind::Ok:
        answer.user = take("user");
        if (answer.user.empty())
            return fail("ok without user");
        answer.serial = take("serial");
        answer.certSha256 = take("cert");
        answer.holder = take("holder");
        break;
    }
    return ParsedAnswer{answer, {}};
}

std::string formatAnswer(const HelperAnswer& answer) {
    std::string line;
    const auto add = [&line](std::string_view key, std::string_view value) {
        line += ' ';
        line += key;
        line += '=';
        line += escapeField(value);
    };
    switch (answer.kind) {
    case HelperAnswer::Kind::WaitingCard:
        line = "waiting-card";
        break;
    case HelperAnswer::Kind::Ready:
        line = "ready tries=" + triesField(answer.triesLeft) + (answer.finalTry ? " final=1" : " final=0");
        add("reader", answer.reader);
        break;
    case HelperAnswer::Kind::Refused:
        line = "refused " + std::string(toString(answer.reason)) + " tries=" + triesField(answer.triesLeft);
        add("fr", answer.messageFr);
        add("en", answer.messageEn);
        add("detail", answer.detail);
        break;
    case HelperAnswer::Kind::Ok:
        line = "ok";
        add("user", answer.user);
        add("serial", answer.serial);
        add("cert", answer.certSha256);
        add("holder", answer.holder);
        break;
    }
    // Only the last (least useful) fields can be long; cut without splitting an escape.
    if (line.size() > kMaxLineLength) {
        std::size_t cut = kMaxLineLength;
        while (cut > 0 && (line[cut - 1] == '%' || (cut > 1 && line[cut - 2] == '%')))
            --cut;
        line.resize(cut);
    }
    return line + '\n';
}

} // namespace cpslock::pam
