// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cpslock::policy {

/// What the policy accepts as a holder's national identifier (idNat): one prefix digit, then the
/// number it announces. Strict where the format is known, lenient but bounded elsewhere:
///   8 + RPPS, 11 digits (12 characters in all)
///   0 + ADELI, 9 characters: digits, except "2A"/"2B" (Corsica) as département
///   3 + FINESS or an establishment's internal id, optionally "structure/internal id"
///   1, 2, 4, 5, 6, 7, 9 + 1..40 letters/digits, optionally one "/" between two non-empty parts
/// @return nullopt when `text` is acceptable, else why not (for an error message).
std::optional<std::string> idNatError(std::string_view text);

/// True when an "8" + RPPS idNat's last digit is not the Luhn key of the RPPS number. Only a
/// warning: the check digit is how typos are caught, but no primary source confirmed it for every
/// RPPS ever issued, and a false refusal would lock a practitioner out.
bool rppsCheckDigitMismatch(std::string_view idNat);

} // namespace cpslock::policy
