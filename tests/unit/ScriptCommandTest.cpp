// SPDX-License-Identifier: EUPL-1.2
// The simulator's script language (cpslock-cardsim --script), parsed without a reader.
#include "tools/cardsim/ScriptCommand.h"

#include <gtest/gtest.h>

using cpslock::cardsim::parseScriptLine;
using cpslock::cardsim::ScriptCommand;
using Kind = ScriptCommand::Kind;

TEST(ScriptCommandTest, BlankLinesAndCommentsAreNothing) {
    for (const char* line : {"", "   ", "# a comment", "\t# indented comment"}) {
        const auto r = parseScriptLine(line);
        EXPECT_FALSE(r.command) << line;
        EXPECT_TRUE(r.error.empty()) << line;
    }
}

TEST(ScriptCommandTest, InsertAndSwapTakeAnOptionalProfileAndSerial) {
    auto r = parseScriptLine("insert cps3 2900995235  # the default card");
    ASSERT_TRUE(r.command) << r.error;
    EXPECT_EQ(r.command->kind, Kind::Insert);
    EXPECT_EQ(r.command->profile, "cps3");
    EXPECT_EQ(r.command->serial, "2900995235");
    r = parseScriptLine("insert");
    ASSERT_TRUE(r.command);
    EXPECT_TRUE(r.command->profile.empty()); // the card of the command line
    r = parseScriptLine("swap vitale2");
    ASSERT_TRUE(r.command);
    EXPECT_EQ(r.command->kind, Kind::Swap);
    EXPECT_EQ(r.command->profile, "vitale2");
    EXPECT_TRUE(r.command->serial.empty());
}

TEST(ScriptCommandTest, SleepTakesBoundedMilliseconds) {
    auto r = parseScriptLine("sleep 250");
    ASSERT_TRUE(r.command);
    EXPECT_EQ(r.command->kind, Kind::Sleep);
    EXPECT_EQ(r.command->duration.count(), 250);
    for (const char* bad : {"sleep", "sleep -1", "sleep 3600001", "sleep 1s", "sleep 1 2"}) {
        r = parseScriptLine(bad);
        EXPECT_FALSE(r.command) << bad;
        EXPECT_FALSE(r.error.empty()) << bad;
    }
}

TEST(ScriptCommandTest, RemoveOnSignCoversEverySigningInstruction) {
    auto r = parseScriptLine("remove-on sign");
    ASSERT_TRUE(r.command);
    EXPECT_EQ(r.command->kind, Kind::RemoveOn);
    // PIV GENERAL AUTHENTICATE, IAS-ECC INTERNAL AUTHENTICATE, PSO (hash, signature, decipher).
    EXPECT_EQ(r.command->instructions, (std::vector<std::uint8_t>{0x87, 0x88, 0x2A}));
    EXPECT_EQ(r.command->removeOnName, "sign");
    r = parseScriptLine("remove-on verify");
    EXPECT_EQ(r.command->instructions, std::vector<std::uint8_t>{0x20});
    r = parseScriptLine("remove-on read");
    EXPECT_EQ(r.command->instructions, std::vector<std::uint8_t>{0xB0});
    r = parseScriptLine("remove-on CB");
    EXPECT_EQ(r.command->instructions, std::vector<std::uint8_t>{0xCB});
    EXPECT_EQ(parseScriptLine("remove-on").error, "unknown command 'remove-on'");
    for (const char* bad : {"remove-on sig", "remove-on 8788", "remove-on 8"}) {
        r = parseScriptLine(bad);
        EXPECT_FALSE(r.command) << bad;
        EXPECT_EQ(r.error, "remove-on takes sign, verify, read or one hex byte") << bad;
    }
}

TEST(ScriptCommandTest, CommandsWithoutArguments) {
    EXPECT_EQ(parseScriptLine("remove").command->kind, Kind::Remove);
    EXPECT_EQ(parseScriptLine("stats").command->kind, Kind::Stats);
    EXPECT_EQ(parseScriptLine("pin-state").command->kind, Kind::PinState);
    EXPECT_EQ(parseScriptLine("quit").command->kind, Kind::Quit);
    EXPECT_EQ(parseScriptLine("remove now").error, "unknown command 'remove'");
    EXPECT_EQ(parseScriptLine("pin-state 1234").error, "unknown command 'pin-state'");
}

TEST(ScriptCommandTest, ErrorsNameTheCommand) {
    EXPECT_EQ(parseScriptLine("insert cps3 1 2").error, "too many words after 'insert'");
    EXPECT_EQ(parseScriptLine("eject").error, "unknown command 'eject'");
}
