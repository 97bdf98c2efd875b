// SPDX-License-Identifier: EUPL-1.2
#include "core/CardKind.h"

#include "core/EnumName.h"

#include <array>

namespace cpslock {
namespace {
constexpr std::array<EnumName<CardKind>, 6> kNames{{
    {"cps3", CardKind::Cps3},
    {"cps3-contactless", CardKind::Cps3Contactless},
    {"cps4", CardKind::Cps4},
    {"vitale", CardKind::Vitale},
    {"other", CardKind::Other},
    {"unreadable", CardKind::Unreadable},
}};
} // namespace

std::string_view toString(CardKind kind) {
    const std::string_view name = nameIn(kNames, kind);
    return name == "?" ? "other" : name;
}

std::optional<CardKind> cardKindFromString(std::string_view name) {
    return valueIn(kNames, name);
}

} // namespace cpslock
