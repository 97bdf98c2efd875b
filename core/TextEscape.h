// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cpslock {

/// How appendEscaped writes what it escapes. Every style escapes C0, DEL and C1 (U+0080..U+009F,
/// e.g. CSI U+009B): untrusted text (policy files, reader names, file names) must not reach a
/// terminal or a log line as escape sequences or forged lines.
enum class EscapeStyle {
    Shown,  ///< C0 and DEL as \xNN, C1 as \u00NN (lower-case hex); quotes kept: diagnostics, messages
    Quoted, ///< as Shown, and '"' and '\' escaped with a backslash: the inside of a "..." value (audit lines)
    Json,   ///< the inside of a JSON or TOML basic string: \" \\ \n \t \r, other controls \u00NN (upper case)
};

/// Appends `text` to `out` escaped in `style`. The bytes of every other character, UTF-8 or not,
/// are copied unchanged.
void appendEscaped(std::string& out, std::string_view text, EscapeStyle style);

/// The longest prefix of `text` of at most `maxBytes` bytes that does not split a UTF-8 character.
std::string_view utf8Prefix(std::string_view text, std::size_t maxBytes);

} // namespace cpslock
