// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Result.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cpslock::cardsim {

/// One line of a `cpslock-cardsim --script` file, parsed. Pure: unit-tested on its own.
struct ScriptCommand {
    enum class Kind { Insert, Remove, Swap, Sleep, RemoveOn, Stats, PinState, Quit };
    Kind kind = Kind::Quit;
    std::string profile;                    ///< insert / swap: empty = the card of the command line
    std::string serial;                     ///< insert / swap
    std::chrono::milliseconds duration{};   ///< sleep
    std::vector<std::uint8_t> instructions; ///< remove-on: the INS bytes that pull the card out
    std::string removeOnName;               ///< remove-on: as written (echoed in "armed remove-on …")
};

/// A parsed line: a command, nothing (blank line or comment), or an error message for the script's
/// output ("error: …" without the prefix).
using ScriptLine = Result<std::optional<ScriptCommand>>;

/// Parses one line; `#` starts a comment. `remove-on sign` names every signing instruction: PIV
/// GENERAL AUTHENTICATE (87), IAS-ECC INTERNAL AUTHENTICATE (88) and PSO (2A).
ScriptLine parseScriptLine(std::string_view line);

} // namespace cpslock::cardsim
