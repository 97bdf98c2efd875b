// SPDX-License-Identifier: EUPL-1.2
#include "card/OpposedCardsCsv.h"

#include "card/Denylist.h"
#include "core/Result.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

namespace cpslock::card {
namespace {

constexpr std::size_t kMaxFields = 200;

bool validUtf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        if (n == 0 || i + n > s.size())
            return false;
        for (std::size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2)
                return false;
        i += n;
    }
    return true;
}

std::string latin1ToUtf8(std::string_view s) {
    std::string out;
    out.reserve(s.size() + s.size() / 8);
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x80) {
            out.push_back(ch);
        } else {
            out.push_back(static_cast<char>(0xC0 | (c >> 6)));
            out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        }
    }
    return out;
}

// A header name reduced to ASCII words: "N° de carte" -> "n de carte", "Numéro_Carte" -> "numero carte".
std::string normaliseHeader(std::string_view utf8) {
    std::string out;
    for (std::size_t i = 0; i < utf8.size(); ++i) {
        auto c = static_cast<unsigned char>(utf8[i]);
        char mapped = ' ';
        if (c == 0xC3 && i + 1 < utf8.size()) {
            // Latin-1 supplement letters (U+00C0..U+00FF) to their base letter.
            const auto d = static_cast<unsigned char>(utf8[++i]);
            static constexpr std::string_view kBase =
                "aaaaaaaceeeeiiiidnooooo ouuuuy  aaaaaaaceeeeiiiidnooooo ouuuuy y";
            const std::size_t index = static_cast<std::size_t>(d) - 0x80;
            mapped = index < kBase.size() ? kBase[index] : ' ';
        } else if (c < 0x80 && std::isalnum(c)) {
            mapped = static_cast<char>(std::tolower(c));
        } else if (c >= 0x80) {
            while (i + 1 < utf8.size() && (static_cast<unsigned char>(utf8[i + 1]) >> 6) == 0x2)
                ++i;
        }
        if (mapped != ' ' || (!out.empty() && out.back() != ' '))
            out.push_back(mapped);
    }
    while (!out.empty() && out.back() == ' ')
        out.pop_back();
    return out;
}

bool hasWord(const std::string& header, std::string_view word) {
    std::size_t start = 0;
    while (start <= header.size()) {
        const std::size_t end = std::min(header.find(' ', start), header.size());
        if (std::string_view(header).substr(start, end - start) == word)
            return true;
        start = end + 1;
    }
    return false;
}

bool isCardNumberHeader(const std::string& h) {
    return hasWord(h, "carte") && (hasWord(h, "numero") || hasWord(h, "num") || hasWord(h, "n") || hasWord(h, "no")) &&
           !hasWord(h, "date") && !hasWord(h, "type");
}

bool isOppositionDateHeader(const std::string& h) {
    return hasWord(h, "opposition");
}

// One line split on `sep`, with "double quoted" fields ("" inside is a quote). nullopt: bad quoting.
std::optional<std::vector<std::string>> splitRow(std::string_view line, char sep) {
    std::vector<std::string> fields(1);
    bool quoted = false;
    bool wasQuoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                fields.back().push_back('"');
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                fields.back().push_back(c);
            }
        } else if (c == '"' && fields.back().empty() && !wasQuoted) {
            quoted = wasQuoted = true;
        } else if (c == sep) {
            if (fields.size() >= kMaxFields)
                return std::nullopt;
            fields.emplace_back();
            wasQuoted = false;
        } else if (wasQuoted) {
            return std::nullopt; // text after a closing quote
        } else {
            fields.back().push_back(c);
        }
    }
    if (quoted)
        return std::nullopt;
    return fields;
}

std::string trim(std::string s) {
    const auto notSpace = [](char c) { return c != ' ' && c != '\t' && c != '\r'; };
    s.erase(s.begin(), std::find_if(s.begin(), s.end(), notSpace));
    s.erase(std::find_if(s.rbegin(), s.rend(), notSpace).base(), s.end());
    return s;
}

bool allDigits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "2024-03-05", "05/03/2024", "20240305", each optionally followed by a time: YYYY-MM-DD or nullopt.
std::optional<std::string> parseDate(std::string_view text) {
    std::string_view day = text.substr(0, text.find_first_of(" T"));
    std::string y, m, d;
    if (day.size() == 10 && day[4] == '-' && day[7] == '-') {
        y = day.substr(0, 4), m = day.substr(5, 2), d = day.substr(8, 2);
    } else if (day.size() == 10 && day[2] == '/' && day[5] == '/') {
        d = day.substr(0, 2), m = day.substr(3, 2), y = day.substr(6, 4);
    } else if (day.size() == 8 && allDigits(day)) {
        y = day.substr(0, 4), m = day.substr(4, 2), d = day.substr(6, 2);
    } else {
        return std::nullopt;
    }
    if (!allDigits(y) || !allDigits(m) || !allDigits(d))
        return std::nullopt;
    static constexpr std::array<int, 12> kDays = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const int year = std::stoi(y);
    const int month = std::stoi(m);
    const int dayOfMonth = std::stoi(d);
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (year < 1990 || year > 2200 || month < 1 || month > 12 || dayOfMonth < 1 ||
        dayOfMonth > kDays[static_cast<std::size_t>(month - 1)] || (month == 2 && dayOfMonth == 29 && !leap))
        return std::nullopt;
    return y + "-" + m + "-" + d;
}

// The header's separator: the one it uses most; nullopt when it uses none.
std::optional<char> separatorOf(std::string_view header) {
    std::size_t best = 0;
    char separator = ';';
    for (char sep : {';', '|', '\t', ','}) {
        const auto n = static_cast<std::size_t>(std::count(header.begin(), header.end(), sep));
        if (n > best) {
            best = n;
            separator = sep;
        }
    }
    if (best == 0)
        return std::nullopt;
    return separator;
}

// "'Numéro carte', 'N° carte'" for an error message.
std::string columnNames(const std::vector<std::string>& header, const std::vector<std::size_t>& indexes) {
    std::string text;
    for (std::size_t i : indexes)
        text += (text.empty() ? "'" : ", '") + trim(header[i]) + "'";
    return text;
}

// Where the header puts the two columns read.
struct Columns {
    std::size_t card = 0;
    std::size_t date = 0;
    std::size_t width = 0; ///< the header's number of fields
};

// Finds the separator and the card number and opposition date columns (one of each) in the header
// line; records them in `result`.
Result<Columns> readHeader(std::string_view line, std::size_t lineNumber, OpposedCardsCsv& result) {
    const std::string where = "line " + std::to_string(lineNumber);
    const auto separator = separatorOf(line);
    if (separator)
        result.separator = *separator;
    const auto header = splitRow(line, result.separator);
    if (!separator || !header)
        return fail(where + ": not a CSV header (no ';', '|', tab or ',' separated column names)");
    std::vector<std::size_t> cards, dates;
    for (std::size_t i = 0; i < header->size(); ++i) {
        const std::string name = normaliseHeader((*header)[i]);
        if (isOppositionDateHeader(name))
            dates.push_back(i);
        else if (isCardNumberHeader(name))
            cards.push_back(i);
    }
    if (cards.size() != 1 || dates.size() != 1)
        return fail(where + ": expected one card number column (e.g. " +
                    "'Numéro carte') and one opposition date column (e.g. 'Date opposition carte'); " + "found " +
                    (cards.empty() ? std::string("no card number column") : columnNames(*header, cards)) + " and " +
                    (dates.empty() ? std::string("no opposition date column") : columnNames(*header, dates)));
    const Columns columns{cards.front(), dates.front(), header->size()};
    result.cardColumn = trim((*header)[columns.card]);
    result.dateColumn = trim((*header)[columns.date]);
    return columns;
}

// Trailing separators are common in exports; fewer fields than the header is a cut row.
bool hasHeaderWidth(const std::vector<std::string>& fields, std::size_t width) {
    return fields.size() >= width && std::all_of(fields.begin() + static_cast<long>(width), fields.end(),
                                                 [](const std::string& f) { return trim(f).empty(); });
}

// One data row: an opposed card, a valid card (no opposition date) or a bad row, counted in `result`.
void readRow(std::string_view line, std::size_t lineNumber, const Columns& columns, OpposedCardsCsv& result) {
    const auto bad = [&result, lineNumber](const std::string& why) {
        result.badRows.push_back("line " + std::to_string(lineNumber) + ": " + why);
    };
    const auto fields = splitRow(line, result.separator);
    if (!fields)
        return bad("unbalanced quotes or too many fields");
    if (!hasHeaderWidth(*fields, columns.width))
        return bad(std::to_string(fields->size()) + " fields, the header has " + std::to_string(columns.width));
    const std::string number = trim((*fields)[columns.card]);
    const std::string dateText = trim((*fields)[columns.date]);
    if (dateText.empty()) {
        ++result.notOpposed;
        return;
    }
    const auto date = parseDate(dateText);
    if (!date)
        return bad("opposition date '" + dateText.substr(0, 40) +
                   "' is not a date (YYYY-MM-DD, DD/MM/YYYY or YYYYMMDD)");
    const auto serial = allDigits(number) ? Denylist::normaliseCardSerial(number) : std::nullopt;
    if (!serial)
        return bad(number.empty() ? std::string("opposed card without a card number")
                                  : "card number '" + number.substr(0, 40) + "' is not 1 to 20 digits");
    result.opposed.push_back({*serial, *date, lineNumber});
}

} // namespace

OpposedCardsCsv OpposedCardsCsv::parse(std::string_view input) {
    OpposedCardsCsv result;
    if (input.rfind("\xEF\xBB\xBF", 0) == 0)
        input.remove_prefix(3);
    std::string converted;
    if (!validUtf8(input)) {
        converted = latin1ToUtf8(input);
        input = converted;
        result.latin1 = true;
    }
    std::size_t lineNumber = 0;
    std::optional<Columns> columns;
    while (!input.empty()) {
        ++lineNumber;
        const std::size_t eol = input.find('\n');
        std::string_view line = input.substr(0, eol);
        input = eol == std::string_view::npos ? std::string_view() : input.substr(eol + 1);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (line.find_first_not_of(" \t") == std::string_view::npos)
            continue;
        if (columns) {
            readRow(line, lineNumber, *columns, result);
            continue;
        }
        auto header = readHeader(line, lineNumber, result);
        if (!header) {
            result.error = header.error().message;
            return result;
        }
        columns = *header;
    }
    if (!columns)
        result.error = "empty file: no header line";
    return result;
}

} // namespace cpslock::card
