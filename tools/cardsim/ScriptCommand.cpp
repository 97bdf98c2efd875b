// SPDX-License-Identifier: EUPL-1.2
#include "tools/cardsim/ScriptCommand.h"

#include "core/Hex.h"

#include <cstdlib>
#include <map>
#include <sstream>

namespace cpslock::cardsim {

ScriptLine parseScriptLine(std::string_view text) {
    std::string line(text);
    if (const auto hash = line.find('#'); hash != std::string::npos)
        line.resize(hash);
    std::istringstream words(line);
    std::string command, arg1, arg2, extra;
    words >> command >> arg1 >> arg2 >> extra;
    if (command.empty())
        return std::optional<ScriptCommand>();
    if (!extra.empty())
        return fail("too many words after '" + command + "'");
    ScriptCommand c;
    if (command == "insert" || command == "swap") {
        c.kind = command == "insert" ? ScriptCommand::Kind::Insert : ScriptCommand::Kind::Swap;
        c.profile = arg1;
        c.serial = arg2;
    } else if (command == "remove" && arg1.empty()) {
        c.kind = ScriptCommand::Kind::Remove;
    } else if (command == "sleep" && !arg1.empty() && arg2.empty()) {
        char* end = nullptr;
        const long ms = std::strtol(arg1.c_str(), &end, 10);
        if (*end != '\0' || ms < 0 || ms > 3'600'000) {
            return fail("sleep takes milliseconds (0-3600000)");
        }
        c.kind = ScriptCommand::Kind::Sleep;
        c.duration = std::chrono::milliseconds(ms);
    } else if (command == "remove-on" && !arg1.empty() && arg2.empty()) {
        static const std::map<std::string, std::vector<std::uint8_t>> kNames{
            {"sign", {0x87, 0x88, 0x2A}}, {"verify", {0x20}}, {"read", {0xB0}}};
        const auto named = kNames.find(arg1);
        const auto hex = fromHex(arg1);
        if (named != kNames.end()) {
            c.instructions = named->second;
        } else if (hex && hex->size() == 1) {
            c.instructions = {hex->front()};
        } else {
            return fail("remove-on takes sign, verify, read or one hex byte");
        }
        c.kind = ScriptCommand::Kind::RemoveOn;
        c.removeOnName = arg1;
    } else if (command == "stats" && arg1.empty()) {
        c.kind = ScriptCommand::Kind::Stats;
    } else if (command == "pin-state" && arg1.empty()) {
        c.kind = ScriptCommand::Kind::PinState;
    } else if (command == "quit" && arg1.empty()) {
        c.kind = ScriptCommand::Kind::Quit;
    } else {
        return fail("unknown command '" + command + "'");
    }
    return std::optional<ScriptCommand>(std::move(c));
}

} // namespace cpslock::cardsim
