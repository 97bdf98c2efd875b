// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cpslock {

using Bytes = std::vector<std::uint8_t>;

/// Upper-case hex without separators ("3BAC0040"): ATRs, APDUs, serials.
std::string toHex(std::span<const std::uint8_t> bytes);
/// Lower-case hex without separators: digests (certificate SHA-256), as openssl prints them.
std::string toLowerHex(std::span<const std::uint8_t> bytes);

/// The value of one hex digit (either case), or -1 for any other character.
int hexDigitValue(char c);

/// Parses hex digits; spaces and colons between bytes are allowed. nullopt on anything else
/// or an odd number of digits.
std::optional<Bytes> fromHex(std::string_view text);

} // namespace cpslock
