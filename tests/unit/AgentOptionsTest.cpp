// SPDX-License-Identifier: EUPL-1.2
#include "agent/AgentOptions.h"
#include "core/Version.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using cpslock::Language;
using cpslock::agent::AgentOptions;
using cpslock::agent::AgentOptionsResult;
using cpslock::agent::parseAgentOptions;
using ::testing::HasSubstr;
using ::testing::StartsWith;

namespace {

AgentOptionsResult parse(QStringList args, Language language = Language::English) {
    args.prepend(QStringLiteral("cpslock-agent"));
    return parseAgentOptions(args, language);
}

} // namespace

TEST(AgentOptionsTest, EachModeWithItsOptions) {
    auto r = parse({"--tray"});
    ASSERT_TRUE(r.options);
    EXPECT_EQ(r.options->mode, AgentOptions::Mode::Tray);
    EXPECT_FALSE(r.options->policyFile);
    EXPECT_TRUE(r.options->daemonSocket.empty());

    r = parse({"--headless", "--policy", "/etc/p.toml", "--daemon-socket", "/run/x.sock", "-v"});
    ASSERT_TRUE(r.options) << r.error;
    EXPECT_EQ(r.options->mode, AgentOptions::Mode::Headless);
    EXPECT_EQ(r.options->policyFile, "/etc/p.toml");
    EXPECT_EQ(r.options->daemonSocket, "/run/x.sock");
    EXPECT_TRUE(r.options->verbose);

    r = parse({"--check", "--json", "--policy=/tmp/p.toml"});
    ASSERT_TRUE(r.options) << r.error;
    EXPECT_EQ(r.options->mode, AgentOptions::Mode::Check);
    EXPECT_TRUE(r.options->json);
    EXPECT_EQ(r.options->policyFile, "/tmp/p.toml");
}

TEST(AgentOptionsTest, HelpAndVersionExitZeroOnStdout) {
    auto r = parse({"--version"});
    EXPECT_FALSE(r.options);
    EXPECT_EQ(r.exitCode, 0);
    EXPECT_EQ(r.output, std::string("cpslock-agent ") + CPSLOCK_VERSION + "\n");
    r = parse({"--help"});
    EXPECT_EQ(r.exitCode, 0);
    EXPECT_THAT(r.output, StartsWith("usage: cpslock-agent"));
    EXPECT_TRUE(r.error.empty());
}

TEST(AgentOptionsTest, BadCommandLinesExit2WithAClearErrorAndTheUsage) {
    struct Case {
        QStringList args;
        const char* expected;
    };
    const Case cases[] = {
        {{"--bogus"}, "Unknown option 'bogus'"},
        {{}, "give exactly one of --tray, --headless, --check"},
        {{"--tray", "--check"}, "give exactly one of"},
        {{"--check", "--policy"}, "Missing value after '--policy'"},
        {{"--headless", "extra"}, "unexpected argument: extra"},
        {{"--headless", "--json"}, "--json goes with --check only"},
        {{"--headless", "--daemon-socket", "relative.sock"}, "--daemon-socket needs an absolute path"},
        {{"--headless", "--policy", ""}, "--policy needs a file"},
        {{"--headless", "--policy", "/a", "--policy", "/b"}, "--policy given more than once"},
        {{"--headless", "-hv"}, "Unknown option 'hv'"}, // not -h -v: no surprise help
    };
    for (const Case& c : cases) {
        const auto r = parse(c.args);
        EXPECT_FALSE(r.options) << c.expected;
        EXPECT_EQ(r.exitCode, 2) << c.expected;
        EXPECT_THAT(r.error, HasSubstr(c.expected));
        EXPECT_THAT(r.error, HasSubstr("usage: cpslock-agent"));
        EXPECT_TRUE(r.output.empty());
    }
}

TEST(AgentOptionsTest, ErrorsFollowTheLanguageRule) {
    auto r = parse({"--headless", "--json"}, Language::French);
    EXPECT_THAT(r.error, HasSubstr("--json ne va qu'avec --check"));
    r = parse({"--bogus"}, Language::French);
    EXPECT_THAT(r.error, HasSubstr("argument refusé (Unknown option 'bogus'"));
}
