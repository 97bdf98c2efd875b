// SPDX-License-Identifier: EUPL-1.2
#include "core/CardKind.h"

#include <array>
#include <utility>

namespace cpslock {
namespace {
constexpr std::array<std::pair<CardKind, std::string_view>, 6> kNames{{
    {CardKind::Cps3, "cps3"},
    {CardKind::Cps3Contactless, "cps3-contactless"},
    {CardKind::Cps4, "cps4"},
    {CardKind::Vitale, "vitale"},
    {CardKind::Other, "other"},
    {CardKind::Unreadable, "unreadable"},
}};
} // namespace

std::string_view toString(CardKind kind) {
    for (const auto& [k, name] : kNames) {
        if (k == kind)
            return name;
    }
    return "other";
}

std::optional<CardKind> cardKindFromString(std::string_view name) {
    for (const auto& [k, n] : kNames) {
        if (n == name)
            return k;
    }
    return std::nullopt;
}

} // namespace cpslock
