// SPDX-License-Identifier: EUPL-1.2
// The simulator's script language (cpslock-cardsim --script), parsed without a reader.
#include "tools/cardsim/ScriptCommand.h"

#include <gtest/gtest.h>

using cpslock::cardsim::parseScriptLine;
using cpslock::cardsim::ScriptCommand;
using cpslock::cardsim::ScriptLine;
using Kind = ScriptCommand::Kind;

namespace {
// The command of a parsed line; none for a blank line, a comment or an error.
const std::optional<ScriptCommand>& commandOf(const ScriptLine& r) {
    static const std::optional<ScriptCommand> kNone;
    return r ? *r : kNone;
}
// The error message of a parsed line; empty when it parsed.
std::string errorOf(const ScriptLine& r) {
    return r ? std::string() : r.error().message;
}
} // namespace

TEST(ScriptCommandTest, BlankLinesAndCommentsAreNothing) {
    for (const char* line : {"", "   ", "# a comment", "\t# indented comment"}) {
        const auto r = parseScriptLine(line);
        EXPECT_FALSE(commandOf(r)) << line;
        EXPECT_TRUE(errorOf(r).empty()) << line;
    }
}

TEST(ScriptCommandTest, InsertAndSwapTakeAnOptionalProfileAndSerial) {
    auto r = parseScriptLine("insert cps3 2900995235  # the default card");
    ASSERT_TRUE(commandOf(r)) << errorOf(r);
    EXPECT_EQ(commandOf(r)->kind, Kind::Insert);
    EXPECT_EQ(commandOf(r)->profile, "cps3");
    EXPECT_EQ(commandOf(r)->serial, "2900995235");
    r = parseScriptLine("insert");
    ASSERT_TRUE(commandOf(r));
    EXPECT_TRUE(commandOf(r)->profile.empty()); // the card of the command line
    r = parseScriptLine("swap vitale2");
    ASSERT_TRUE(commandOf(r));
    EXPECT_EQ(commandOf(r)->kind, Kind::Swap);
    EXPECT_EQ(commandOf(r)->profile, "vitale2");
    EXPECT_TRUE(commandOf(r)->serial.empty());
}

TEST(ScriptCommandTest, SleepTakesBoundedMilliseconds) {
    auto r = parseScriptLine("sleep 250");
    ASSERT_TRUE(commandOf(r));
    EXPECT_EQ(commandOf(r)->kind, Kind::Sleep);
    EXPECT_EQ(commandOf(r)->duration.count(), 250);
    for (const char* bad : {"sleep", "sleep -1", "sleep 3600001", "sleep 1s", "sleep 1 2"}) {
        r = parseScriptLine(bad);
        EXPECT_FALSE(commandOf(r)) << bad;
        EXPECT_FALSE(errorOf(r).empty()) << bad;
    }
}

TEST(ScriptCommandTest, RemoveOnSignCoversEverySigningInstruction) {
    auto r = parseScriptLine("remove-on sign");
    ASSERT_TRUE(commandOf(r));
    EXPECT_EQ(commandOf(r)->kind, Kind::RemoveOn);
    // PIV GENERAL AUTHENTICATE, IAS-ECC INTERNAL AUTHENTICATE, PSO (hash, signature, decipher).
    EXPECT_EQ(commandOf(r)->instructions, (std::vector<std::uint8_t>{0x87, 0x88, 0x2A}));
    EXPECT_EQ(commandOf(r)->removeOnName, "sign");
    r = parseScriptLine("remove-on verify");
    EXPECT_EQ(commandOf(r)->instructions, std::vector<std::uint8_t>{0x20});
    r = parseScriptLine("remove-on read");
    EXPECT_EQ(commandOf(r)->instructions, std::vector<std::uint8_t>{0xB0});
    r = parseScriptLine("remove-on CB");
    EXPECT_EQ(commandOf(r)->instructions, std::vector<std::uint8_t>{0xCB});
    EXPECT_EQ(errorOf(parseScriptLine("remove-on")), "unknown command 'remove-on'");
    for (const char* bad : {"remove-on sig", "remove-on 8788", "remove-on 8"}) {
        r = parseScriptLine(bad);
        EXPECT_FALSE(commandOf(r)) << bad;
        EXPECT_EQ(errorOf(r), "remove-on takes sign, verify, read or one hex byte") << bad;
    }
}

TEST(ScriptCommandTest, CommandsWithoutArguments) {
    EXPECT_EQ(commandOf(parseScriptLine("remove"))->kind, Kind::Remove);
    EXPECT_EQ(commandOf(parseScriptLine("stats"))->kind, Kind::Stats);
    EXPECT_EQ(commandOf(parseScriptLine("pin-state"))->kind, Kind::PinState);
    EXPECT_EQ(commandOf(parseScriptLine("quit"))->kind, Kind::Quit);
    EXPECT_EQ(errorOf(parseScriptLine("remove now")), "unknown command 'remove'");
    EXPECT_EQ(errorOf(parseScriptLine("pin-state 1234")), "unknown command 'pin-state'");
}

TEST(ScriptCommandTest, ErrorsNameTheCommand) {
    EXPECT_EQ(errorOf(parseScriptLine("insert cps3 1 2")), "too many words after 'insert'");
    EXPECT_EQ(errorOf(parseScriptLine("eject")), "unknown command 'eject'");
}
