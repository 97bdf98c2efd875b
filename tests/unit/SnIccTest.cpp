// SPDX-License-Identifier: EUPL-1.2
#include "pcsc/SnIcc.h"

#include <gtest/gtest.h>

using cpslock::Bytes;
using cpslock::fromHex;
using cpslock::pcsc::encodeSnIcc;
using cpslock::pcsc::parseSnIcc;
using cpslock::pcsc::SnIcc;

namespace {
SnIcc parse(const char* hex) {
    return parseSnIcc(*fromHex(hex));
}
} // namespace

TEST(SnIccTest, PublicTraceExample) {
    const SnIcc r = parse("5A 0A 80 25 00 00 01 99 21 38 45 0F");
    ASSERT_EQ(r.status, SnIcc::Status::Ok) << r.error;
    EXPECT_EQ(r.serial, "992138450");
}

TEST(SnIccTest, FullTenDigitSerial) {
    const SnIcc r = parse("5A0A8025000001 1234567890");
    ASSERT_EQ(r.status, SnIcc::Status::Ok) << r.error;
    EXPECT_EQ(r.serial, "1234567890");
}

TEST(SnIccTest, PaddingAfterTheValueIsTolerated) {
    EXPECT_EQ(parse("5A0A80250000011234567890 FFFF").status, SnIcc::Status::Ok);
    EXPECT_EQ(parse("5A0A80250000011234567890 0000").status, SnIcc::Status::Ok);
}

TEST(SnIccTest, DataAfterTheValueIsMalformed) {
    EXPECT_EQ(parse("5A0A80250000011234567890 9000").status, SnIcc::Status::Malformed);
}

TEST(SnIccTest, WrongIssuerIsNotACps) {
    const SnIcc r = parse("5A0A 8025000002 1234567890");
    EXPECT_EQ(r.status, SnIcc::Status::WrongIssuer);
    EXPECT_TRUE(r.serial.empty());
    EXPECT_NE(r.error.find("8025000002"), std::string::npos);
}

TEST(SnIccTest, TruncatedAnswers) {
    EXPECT_EQ(parseSnIcc({}).status, SnIcc::Status::Malformed);
    EXPECT_EQ(parse("5A").status, SnIcc::Status::Malformed);
    EXPECT_EQ(parse("5A0A").status, SnIcc::Status::Malformed);
    EXPECT_EQ(parse("5A0A8025000001").status, SnIcc::Status::Malformed);
    EXPECT_EQ(parse("5A0A802500000112345678").status, SnIcc::Status::Malformed);
}

TEST(SnIccTest, WrongTagOrLength) {
    EXPECT_EQ(parse("5B0A80250000011234567890").status, SnIcc::Status::Malformed);
    EXPECT_EQ(parse("5A0B80250000011234567890AA").status, SnIcc::Status::Malformed);
    EXPECT_EQ(parse("5A0980250000011234567890").status, SnIcc::Status::Malformed);
}

TEST(SnIccTest, NonBcdSerialIsMalformed) {
    EXPECT_EQ(parse("5A0A80250000011234A67890").status, SnIcc::Status::Malformed);
    // A digit after the filler.
    EXPECT_EQ(parse("5A0A8025000001 12345F7890").status, SnIcc::Status::Malformed);
    // Only filler.
    EXPECT_EQ(parse("5A0A8025000001 FFFFFFFFFF").status, SnIcc::Status::Malformed);
}

TEST(SnIccTest, GarbageNeverCrashes) {
    Bytes data;
    for (int len = 0; len < 40; ++len) {
        data.push_back(static_cast<std::uint8_t>(len * 37 + 11));
        const SnIcc r = parseSnIcc(data);
        EXPECT_NE(r.status, SnIcc::Status::Ok);
    }
}

TEST(SnIccTest, EncodeRoundTrips) {
    for (const char* serial : {"1", "992138450", "1234567890", "0000000001"}) {
        const Bytes file = encodeSnIcc(serial);
        ASSERT_EQ(file.size(), 12u) << serial;
        const SnIcc r = parseSnIcc(file);
        ASSERT_EQ(r.status, SnIcc::Status::Ok) << r.error;
        EXPECT_EQ(r.serial, serial);
    }
    EXPECT_EQ(encodeSnIcc("992138450"), *fromHex("5A0A8025000001992138450F"));
}

TEST(SnIccTest, EncodeRejectsBadSerials) {
    EXPECT_TRUE(encodeSnIcc("").empty());
    EXPECT_TRUE(encodeSnIcc("12345678901").empty());
    EXPECT_TRUE(encodeSnIcc("12a4").empty());
}
