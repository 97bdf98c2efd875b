// SPDX-License-Identifier: EUPL-1.2
#include "pam/PamOptions.h"
#include "protocol/Request.h"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

using cpslock::pam::parseModuleOptions;
using cpslock::protocol::checkUserName;

namespace {

cpslock::Result<cpslock::pam::ModuleOptions, cpslock::pam::OptionErrors> parse(std::vector<std::string_view> args) {
    return parseModuleOptions(args);
}

} // namespace

TEST(PamOptionsTest, DefaultsAreStrict) {
    const auto r = parse({});
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->debug);
    EXPECT_EQ(r->timeout.count(), 30);
    EXPECT_EQ(r->waitCard.count(), 0);
    EXPECT_FALSE(r->socket);
}

TEST(PamOptionsTest, EveryOptionParses) {
    const auto r = parse({"debug", "timeout=5", "wait_card=20", "socket=/run/test/cpslockd.sock"});
    ASSERT_TRUE(r.ok()) << r.error().messages.front();
    EXPECT_TRUE(r->debug);
    EXPECT_EQ(r->timeout.count(), 5);
    EXPECT_EQ(r->waitCard.count(), 20);
    EXPECT_EQ(r->socket, "/run/test/cpslockd.sock");
}

TEST(PamOptionsTest, BadValuesAreErrorsNamingTheArgument) {
    for (const std::string_view bad :
         {"timeout=0", "timeout=601", "timeout=", "timeout=5s", "timeout=-1", "wait_card=-1", "wait_card=x",
          "wait_card=601", "socket=relative.sock", "socket=", "debug=1",
          // cpslock-auth's options are retired: the policy and the card check are cpslockd's
          "policy=/etc/cpslock/kiosk.toml", "helper=/usr/libexec/cpslock/cpslock-auth"}) {
        const auto r = parse({bad});
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_NE(r.error().messages.front().find(std::string(bad)), std::string::npos) << r.error().messages.front();
    }
}

TEST(PamOptionsTest, UnknownOptionsAndTyposAreRefusedNotIgnored) {
    // A typo must not silently fall back to the default policy, nor a peer's switch be honoured.
    for (const std::string_view bad : {"polcy=/etc/x.toml", "nullok", "alwaysok", "try_first_pass", "Debug"}) {
        EXPECT_FALSE(parse({bad}).ok()) << bad;
    }
    const auto r = parse({"debug", "nullok", "timeout=abc"});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().messages.size(), 2U);
}

TEST(PamOptionsTest, ZeroWaitCardIsAllowedAndLastValueWins) {
    const auto r = parse({"wait_card=0", "timeout=4", "timeout=7"});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->waitCard.count(), 0);
    EXPECT_EQ(r->timeout.count(), 7);
}

TEST(PamOptionsTest, UserNamesThatCannotTravelOnTheSocketAreRefused) {
    EXPECT_TRUE(checkUserName("alice"));
    EXPECT_TRUE(checkUserName("dr.martin@clinique"));
    EXPECT_FALSE(checkUserName(""));
    EXPECT_FALSE(checkUserName("--policy=/tmp/evil"));
    EXPECT_FALSE(checkUserName("a\nb"));
    EXPECT_FALSE(checkUserName("../root"));
    EXPECT_FALSE(checkUserName(std::string(257, 'a')));
}
