// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace cpslock::card {

/// The ANS open-data extract of CPS/CPF cards ("Annuaire Santé : extraction des personnes ayant une
/// carte CPS ou CPF"), read for its opposed cards: the card number and opposition date columns,
/// found by their header names (docs/denylist.md says which names and why).
struct OpposedCardsCsv {
    struct Card {
        std::string serial;   ///< card number, normalised as the deny-list stores it
        std::string date;     ///< opposition date, YYYY-MM-DD
        std::size_t line = 0; ///< line in the file
    };
    std::vector<Card> opposed;
    std::vector<std::string> badRows; ///< "line N: why", rows that could not be read
    std::size_t notOpposed = 0;       ///< rows without an opposition date (valid cards)
    std::string error;                ///< the file as a whole is unusable (no such columns...)
    std::string cardColumn;           ///< the header names found
    std::string dateColumn;
    char separator = ';';
    bool latin1 = false; ///< the file was not UTF-8: read as Latin-1

    /// `text`: the whole file (UTF-8 with or without BOM, or Latin-1; ';', '|', tab or ',' separated).
    static OpposedCardsCsv parse(std::string_view text);
};

} // namespace cpslock::card
