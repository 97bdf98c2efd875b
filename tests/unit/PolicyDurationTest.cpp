// SPDX-License-Identifier: EUPL-1.2
#include "core/policy/Duration.h"

#include <gtest/gtest.h>

using cpslock::policy::describeDurationError;
using cpslock::policy::Duration;
using cpslock::policy::formatDuration;
using cpslock::policy::parseDuration;

TEST(PolicyDurationTest, ParsesEachUnit) {
    EXPECT_EQ(parseDuration("30s"), Duration{30});
    EXPECT_EQ(parseDuration("5m"), Duration{300});
    EXPECT_EQ(parseDuration("1h"), Duration{3600});
    EXPECT_EQ(parseDuration("2d"), Duration{172800});
    EXPECT_EQ(parseDuration("0s"), Duration{0});
    EXPECT_EQ(parseDuration("007m"), Duration{420});
}

TEST(PolicyDurationTest, RefusesAnythingElse) {
    for (const char* bad : {"", "s", "10", "5 m", " 5m", "5m ", "-5m", "+5m", "1h30m", "10x", "1.5h", "5M", "5min",
                            "0x10s", "366d", "9999999999s", "99999999d"}) {
        EXPECT_FALSE(parseDuration(bad).has_value()) << bad;
        EXPECT_FALSE(describeDurationError(bad).empty()) << bad;
    }
}

TEST(PolicyDurationTest, UpperBoundIsOneYear) {
    EXPECT_EQ(parseDuration("365d"), Duration{365 * 86400});
    EXPECT_EQ(parseDuration("8760h"), Duration{365 * 86400});
    EXPECT_FALSE(parseDuration("8761h").has_value());
}

TEST(PolicyDurationTest, ErrorsSayWhatIsWrong) {
    EXPECT_NE(describeDurationError("10").find("missing unit"), std::string::npos);
    EXPECT_NE(describeDurationError("10x").find("unknown unit"), std::string::npos);
    EXPECT_NE(describeDurationError("m").find("missing number"), std::string::npos);
    EXPECT_NE(describeDurationError("400d").find("365 days"), std::string::npos);
}

TEST(PolicyDurationTest, FormatsShortestExactForm) {
    EXPECT_EQ(formatDuration(Duration{0}), "0s");
    EXPECT_EQ(formatDuration(Duration{90}), "90s");
    EXPECT_EQ(formatDuration(Duration{600}), "10m");
    EXPECT_EQ(formatDuration(Duration{7200}), "2h");
    EXPECT_EQ(formatDuration(Duration{7 * 86400}), "7d");
    for (const char* text : {"45s", "5m", "25h", "3d"})
        EXPECT_EQ(formatDuration(*parseDuration(text)), text);
}
