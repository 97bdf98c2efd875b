// SPDX-License-Identifier: EUPL-1.2
#include "pcsc/AtrTable.h"

#include "core/Hex.h"

#include <vector>

namespace cpslock::pcsc {
namespace {

struct AtrRow {
    std::string_view value; ///< hex
    std::string_view mask;  ///< hex mask applied to both sides; empty = compare exactly
    CardKind kind;
    std::string_view label;
};

// Sources: OpenSC card-iasecc.c (CPx masks), ANS Cryptolib CPS, pcsc-tools smartcard_list.txt;
// see docs/reference/cps-cards.md. OpenSC's contactless row has a typo (2B for 3B): corrected here.
// The first matching row wins, so exact rows come before the masks that would also cover them.
constexpr AtrRow kRows[] = {
    {"3B8F80010031B86404B0ECC1739401808290000E", "FFFFFFFFFFFFFFFF0000FFC0FFFFFFFFFFFFFFFF", CardKind::Cps3Contactless,
     "CPS3 contactless"},
    {"3B9B188001001225006480040100009044", "", CardKind::Cps4, "CPS4 (ChipDoc)"},
    {"3B9B188001001225006480000401009044", "", CardKind::Cps4, "CPS4 pre-series"},
    {"3BDC18FF00001225006480000401009000", "", CardKind::Cps4, "CPS4 pre-series"},
    // After the CPS4 rows: the CPS4 pre-series 3B DC 18 FF ... also fits this mask.
    {"3BAC00402A001225006480000310009000", "FF00000000FFFFFFFFFFFF000000FFFFFF", CardKind::Cps3,
     "CPS3 contact (IAS-ECC)"},
    // Carte Vitale 1: 3F 65 25 00 2x 09 x9 90 00, 3F 65 25 00 52 09 6A 90 00, 3F 65 25 00 Ax 09 6A 90 00.
    // The 3F 65 25 prefix alone is shared with French bank cards, so the rows stay this narrow.
    {"3F6525002009099000", "FFFFFFFFF0FF0FFFFF", CardKind::Vitale, "Carte Vitale 1"},
    {"3F65250052096A9000", "", CardKind::Vitale, "Carte Vitale 1"},
    {"3F652500A0096A9000", "FFFFFFFFF0FFFFFFFF", CardKind::Vitale, "Carte Vitale 1"},
    // Carte Vitale 2: 3B 75 13 00 00 4x 09 EA 90 00 with x = 3..9, and 3B 75 13 00 00 45 09 FA 90 00.
    {"3B751300004309EA9000", "", CardKind::Vitale, "Carte Vitale 2"},
    {"3B751300004409EA9000", "", CardKind::Vitale, "Carte Vitale 2"},
    {"3B751300004509EA9000", "", CardKind::Vitale, "Carte Vitale 2"},
    {"3B751300004609EA9000", "", CardKind::Vitale, "Carte Vitale 2"},
    {"3B751300004709EA9000", "", CardKind::Vitale, "Carte Vitale 2"},
    {"3B751300004809EA9000", "", CardKind::Vitale, "Carte Vitale 2"},
    {"3B751300004909EA9000", "", CardKind::Vitale, "Carte Vitale 2"},
    {"3B751300004509FA9000", "", CardKind::Vitale, "Carte Vitale 2"},
};

struct ParsedRow {
    Bytes value;
    Bytes mask;
    const AtrRow* row;
};

const std::vector<ParsedRow>& parsedRows() {
    static const std::vector<ParsedRow> rows = [] {
        std::vector<ParsedRow> out;
        for (const AtrRow& r : kRows) {
            Bytes value = fromHex(r.value).value_or(Bytes{});
            Bytes mask = r.mask.empty() ? Bytes(value.size(), 0xFF) : fromHex(r.mask).value_or(Bytes{});
            if (value.empty() || mask.size() != value.size())
                continue; // a malformed row never matches (the unit tests cover every row)
            out.push_back({std::move(value), std::move(mask), &r});
        }
        return out;
    }();
    return rows;
}

} // namespace

AtrMatch classifyAtr(std::span<const std::uint8_t> atr) {
    for (const ParsedRow& row : parsedRows()) {
        if (atr.size() != row.value.size())
            continue;
        bool same = true;
        for (std::size_t i = 0; i < atr.size() && same; ++i)
            same = (atr[i] & row.mask[i]) == (row.value[i] & row.mask[i]);
        if (same)
            return {row.row->kind, row.row->label};
    }
    return {};
}

} // namespace cpslock::pcsc
