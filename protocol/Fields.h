// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Result.h"

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cpslock::protocol {

/// Every line on cpslockd's socket (and between cpslockd and its worker) is `VERB [WORD] key=value ...`
/// with percent-escaped values, at most kMaxLineLength bytes before its '\n' (docs/protocol.md).
inline constexpr std::size_t kMaxLineLength = 4096;

/// Percent-escapes '%', space, '=' and every control byte; UTF-8 passes through.
std::string escapeField(std::string_view value);
/// Inverse of escapeField; nullopt on a malformed escape, a raw space/control byte or an escaped NUL.
std::optional<std::string> unescapeField(std::string_view field);

/// The words of a line, split on single spaces (an empty word is kept, so "a  b" is refused later).
std::vector<std::string_view> splitWords(std::string_view line);

/// key=value words from `first` on. Strict: a word without '=', an empty key, a bad escape or a
/// duplicate key fails, the error naming it.
Result<std::map<std::string, std::string>> parseFields(const std::vector<std::string_view>& words, std::size_t first);

/// " key=escaped(value)", appended to `line`.
void appendField(std::string& line, std::string_view key, std::string_view value);

/// Cuts `line` to kMaxLineLength without splitting an escape, then adds '\n'.
std::string finishLine(std::string line);

} // namespace cpslock::protocol
