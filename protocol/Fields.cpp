// SPDX-License-Identifier: EUPL-1.2
#include "protocol/Fields.h"

#include "core/Hex.h"

namespace cpslock::protocol {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";

bool mustEscape(unsigned char c) {
    return c < 0x21 || c == 0x7f || c == '%' || c == '=';
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
        const int hi = hexDigitValue(field[i + 1]);
        const int lo = hexDigitValue(field[i + 2]);
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
            return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

std::vector<std::string_view> splitWords(std::string_view line) {
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

Result<std::map<std::string, std::string>> parseFields(const std::vector<std::string_view>& words, std::size_t first) {
    std::map<std::string, std::string> fields;
    for (std::size_t i = first; i < words.size(); ++i) {
        const auto eq = words[i].find('=');
        if (eq == std::string_view::npos || eq == 0)
            return fail("field without key=value");
        const std::string key(words[i].substr(0, eq));
        auto value = unescapeField(words[i].substr(eq + 1));
        if (!value)
            return fail("bad escape in field " + escapeField(key));
        if (!fields.emplace(key, std::move(*value)).second)
            return fail("duplicate field " + escapeField(key));
    }
    return fields;
}

void appendField(std::string& line, std::string_view key, std::string_view value) {
    line += ' ';
    line += key;
    line += '=';
    line += escapeField(value);
}

std::string finishLine(std::string line) {
    // Only the last (least useful) fields can be long; cut without splitting an escape.
    if (line.size() > kMaxLineLength) {
        std::size_t cut = kMaxLineLength;
        while (cut > 0 && (line[cut - 1] == '%' || (cut > 1 && line[cut - 2] == '%')))
            --cut;
        line.resize(cut);
    }
    return line + '\n';
}

} // namespace cpslock::protocol
