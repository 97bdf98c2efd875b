// SPDX-License-Identifier: EUPL-1.2
#include "card/Denylist.h"

#include "core/Ascii.h"

#include "core/FileRead.h"
#include "core/Result.h"

#include <algorithm>
#include <system_error>

namespace cpslock::card {
namespace {

constexpr std::size_t kMaxSerialDigits = 20;

char toLowerAscii(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string_view trim(std::string_view s) {
    const auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
    while (!s.empty() && isSpace(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && isSpace(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

// Serials compare as numbers: the ANS extract and EF.SN.ICC may differ in zero padding.
std::optional<std::string> normaliseSerial(std::string_view serial) {
    if (serial.empty() || serial.size() > kMaxSerialDigits ||
        !std::all_of(serial.begin(), serial.end(), isAsciiDigit)) {
        return std::nullopt;
    }
    const auto firstNonZero = serial.find_first_not_of('0');
    return firstNonZero == std::string_view::npos ? std::string("0") : std::string(serial.substr(firstNonZero));
}

std::optional<std::string> normaliseSha256(std::string_view hex) {
    std::string out;
    for (char c : hex) {
        if (c == ':') {
            continue;
        }
        if (!isAsciiHexDigit(c)) {
            return std::nullopt;
        }
        out.push_back(toLowerAscii(c));
    }
    if (out.size() != 64) {
        return std::nullopt;
    }
    return out;
}

bool isIsoDate(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') {
        return false;
    }
    for (std::size_t i : {0U, 1U, 2U, 3U, 5U, 6U, 8U, 9U}) {
        if (!isAsciiDigit(s[i])) {
            return false;
        }
    }
    const int month = (s[5] - '0') * 10 + (s[6] - '0');
    const int day = (s[8] - '0') * 10 + (s[9] - '0');
    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

// "serial:<digits>" or "sha256:<hex>": the entry's kind and normalised value.
Result<void> parseKey(std::string_view key, const std::string& where, DenylistEntry& entry) {
    const auto colon = key.find(':');
    if (colon == std::string_view::npos) {
        return fail(where + ": expected 'serial:<digits>' or 'sha256:<64 hex digits>'");
    }
    const std::string_view kind = key.substr(0, colon);
    const std::string_view value = key.substr(colon + 1);
    if (kind == "serial") {
        auto serial = normaliseSerial(value);
        if (!serial) {
            return fail(where + ": card serial must be 1 to 20 decimal digits, got '" + std::string(value) + "'");
        }
        entry.kind = DenylistEntry::Kind::CardSerial;
        entry.value = *serial;
    } else if (kind == "sha256") {
        auto sha = normaliseSha256(value);
        if (!sha) {
            return fail(where + ": sha256 must be 64 hex digits, got '" + std::string(value) + "'");
        }
        entry.kind = DenylistEntry::Kind::CertificateSha256;
        entry.value = *sha;
    } else {
        return fail(where + ": unknown entry kind '" + std::string(kind) + "' (expected 'serial' or 'sha256')");
    }
    return {};
}

// What follows the key: an optional date, then the reason. A token that looks like a date but is
// not one is a typo.
Result<void> parseDateAndReason(std::string_view rest, const std::string& where, DenylistEntry& entry) {
    const auto dateEnd = rest.find_first_of(" \t");
    const std::string_view firstWord = rest.substr(0, dateEnd);
    if (isIsoDate(firstWord)) {
        entry.date = std::string(firstWord);
        rest = dateEnd == std::string_view::npos ? std::string_view() : trim(rest.substr(dateEnd));
    } else if (!firstWord.empty() && isAsciiDigit(firstWord.front())) {
        return fail(where + ": invalid date '" + std::string(firstWord) + "' (expected YYYY-MM-DD)");
    }
    entry.reason = std::string(rest);
    return {};
}

// One non-blank, non-comment line: <kind>:<value> [YYYY-MM-DD] [reason...]
Result<DenylistEntry> parseEntry(std::string_view line, const std::string& where) {
    const auto valueEnd = line.find_first_of(" \t");
    const std::string_view rest = valueEnd == std::string_view::npos ? std::string_view() : trim(line.substr(valueEnd));
    DenylistEntry entry;
    entry.source = where;
    if (auto key = parseKey(line.substr(0, valueEnd), where, entry); !key) {
        return key.error();
    }
    if (auto tail = parseDateAndReason(rest, where, entry); !tail) {
        return tail.error();
    }
    return entry;
}

template <class Normalise>
const DenylistEntry* findEntry(const std::vector<DenylistEntry>& entries, DenylistEntry::Kind kind,
                               std::string_view raw, Normalise normalise) {
    const auto wanted = normalise(raw);
    if (!wanted) {
        return nullptr;
    }
    for (const auto& entry : entries) {
        if (entry.kind == kind && entry.value == *wanted) {
            return &entry;
        }
    }
    return nullptr;
}

} // namespace

Denylist::ParseResult Denylist::parse(std::string_view text, const std::string& sourceName) {
    ParseResult result;
    std::size_t lineNumber = 0;
    while (!text.empty()) {
        ++lineNumber;
        const auto eol = text.find('\n');
        const std::string_view line = trim(text.substr(0, eol));
        text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
        if (line.empty() || line.front() == '#') {
            continue;
        }
        auto entry = parseEntry(line, sourceName + ":" + std::to_string(lineNumber));
        if (!entry) {
            result.errors.push_back(entry.error().message);
            continue;
        }
        result.list.m_entries.push_back(std::move(*entry));
    }
    return result;
}

Denylist::ParseResult Denylist::load(const std::filesystem::path& file) {
    // One open, one fstat, one read of that descriptor: what was checked is what is parsed (issue 10,
    // finding 4: a symlink or an over-long file was checked by one reader and read as "" by another).
    const auto read = readRegularFile(file.string(), kMaxFileSize);
    if (!read) {
        ParseResult failed;
        failed.errors.push_back(file.string() + ": " + read.error().message);
        return failed;
    }
    return parse(*read, file.string());
}

std::optional<std::string> Denylist::normaliseCardSerial(std::string_view serial) {
    return normaliseSerial(serial);
}

const DenylistEntry* Denylist::findCardSerial(std::string_view serial) const {
    return findEntry(m_entries, DenylistEntry::Kind::CardSerial, serial, normaliseSerial);
}

const DenylistEntry* Denylist::findCertificateSha256(std::string_view hex) const {
    return findEntry(m_entries, DenylistEntry::Kind::CertificateSha256, hex, normaliseSha256);
}

} // namespace cpslock::card
