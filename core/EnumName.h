// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace cpslock {

/// One row of an enum's table of stable names: the single place a name is written, read both ways
/// (toString, fromString) and by the policy loader's enum readers.
template <typename E> struct EnumName {
    std::string_view name;
    E value;
};

template <typename E, std::size_t N>
constexpr std::string_view nameIn(const std::array<EnumName<E>, N>& names, E value) {
    for (const auto& entry : names) {
        if (entry.value == value)
            return entry.name;
    }
    return "?";
}

template <typename E, std::size_t N>
constexpr std::optional<E> valueIn(const std::array<EnumName<E>, N>& names, std::string_view name) {
    for (const auto& entry : names) {
        if (entry.name == name)
            return entry.value;
    }
    return std::nullopt;
}

} // namespace cpslock
