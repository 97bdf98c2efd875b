// SPDX-License-Identifier: EUPL-1.2
#pragma once

// Internal to the policy loader: text checks on untrusted policy input.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace cpslock::policy::detail {

inline constexpr std::size_t kMaxShownKey = 64;
inline constexpr std::size_t kMaxPathLength = 4096;
inline constexpr std::size_t kMaxUserLength = 256;

/// Values and keys come from an untrusted file and end up on an admin's terminal and in JSON:
/// no C0/C1 control characters (escape sequences), bounded length, cut on a UTF-8 boundary.
std::string shown(std::string_view s, std::size_t maxLength = kMaxShownKey);

/// The closest candidate within a third of the word's length (at least 1, at most 3 edits).
std::optional<std::string_view> closest(std::string_view word, std::span<const std::string_view> candidates);

bool hasControl(std::string_view s, bool allowNewline);
bool isValidUserName(std::string_view s);

} // namespace cpslock::policy::detail
