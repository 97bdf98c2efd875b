// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace cpslock::policy {

using Duration = std::chrono::seconds;

/// Parses the policy's duration syntax: a decimal number and one unit, "30s", "5m", "1h", "2d".
/// Nothing else is accepted (no sign, no spaces, no "1h30m", no bare "0"): a typo must be an
/// error, never a different duration. nullopt on bad syntax or anything above 365 days.
std::optional<Duration> parseDuration(std::string_view text);

/// Why parseDuration refused `text`, as a phrase for an error message.
std::string describeDurationError(std::string_view text);

/// The shortest exact form in the same syntax ("90s" stays "90s", 600 s becomes "10m").
std::string formatDuration(Duration d);

} // namespace cpslock::policy
