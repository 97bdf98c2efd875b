// SPDX-License-Identifier: EUPL-1.2
#include "core/Hex.h"

#include <gtest/gtest.h>

using cpslock::Bytes;
using cpslock::fromHex;
using cpslock::toHex;

TEST(HexTest, RoundTrip) {
    const Bytes b{0x3B, 0x00, 0xAC, 0xFF};
    EXPECT_EQ(toHex(b), "3B00ACFF");
    EXPECT_EQ(fromHex("3B00ACFF"), b);
    EXPECT_EQ(fromHex("3b 00 ac ff"), b);
    EXPECT_EQ(fromHex("3B:00:AC:FF"), b);
}

TEST(HexTest, RejectsBadInput) {
    EXPECT_FALSE(fromHex("3B0").has_value());
    EXPECT_FALSE(fromHex("3G").has_value());
    EXPECT_FALSE(fromHex("3 B").has_value());
    EXPECT_EQ(fromHex(""), Bytes{});
}

TEST(HexTest, LowerCaseForDigests) {
    EXPECT_EQ(cpslock::toLowerHex(Bytes{0xAB, 0x01, 0xFF}), "ab01ff");
}
