// SPDX-License-Identifier: EUPL-1.2
#include "pcsc/SnIcc.h"

#include <gtest/gtest.h>

using cpslock::Bytes;
using cpslock::fromHex;
using cpslock::pcsc::encodeSnIcc;
using cpslock::pcsc::parseSnIcc;
using cpslock::pcsc::SnIccError;

namespace {
using SnIcc = cpslock::Result<std::string, SnIccError>;

SnIcc parse(const char* hex) {
    return parseSnIcc(*fromHex(hex));
}

/// Ok, or the kind of error: what each case expects.
enum class Outcome { Ok, WrongIssuer, Malformed };
Outcome outcome(const SnIcc& r) {
    if (r)
        return Outcome::Ok;
    return r.error().kind == SnIccError::Kind::WrongIssuer ? Outcome::WrongIssuer : Outcome::Malformed;
}
} // namespace

TEST(SnIccTest, PublicTraceExample) {
    const SnIcc r = parse("5A 0A 80 25 00 00 01 99 21 38 45 0F");
    ASSERT_EQ(outcome(r), Outcome::Ok) << r.error().message;
    EXPECT_EQ(*r, "992138450");
}

TEST(SnIccTest, FullTenDigitSerial) {
    const SnIcc r = parse("5A0A8025000001 1234567890");
    ASSERT_EQ(outcome(r), Outcome::Ok) << r.error().message;
    EXPECT_EQ(*r, "1234567890");
}

TEST(SnIccTest, PaddingAfterTheValueIsTolerated) {
    EXPECT_EQ(outcome(parse("5A0A80250000011234567890 FFFF")), Outcome::Ok);
    EXPECT_EQ(outcome(parse("5A0A80250000011234567890 0000")), Outcome::Ok);
}

TEST(SnIccTest, DataAfterTheValueIsMalformed) {
    EXPECT_EQ(outcome(parse("5A0A80250000011234567890 9000")), Outcome::Malformed);
}

TEST(SnIccTest, WrongIssuerIsNotACps) {
    const SnIcc r = parse("5A0A 8025000002 1234567890");
    EXPECT_EQ(outcome(r), Outcome::WrongIssuer);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("8025000002"), std::string::npos);
}

TEST(SnIccTest, TruncatedAnswers) {
    EXPECT_EQ(outcome(parseSnIcc({})), Outcome::Malformed);
    EXPECT_EQ(outcome(parse("5A")), Outcome::Malformed);
    EXPECT_EQ(outcome(parse("5A0A")), Outcome::Malformed);
    EXPECT_EQ(outcome(parse("5A0A8025000001")), Outcome::Malformed);
    EXPECT_EQ(outcome(parse("5A0A802500000112345678")), Outcome::Malformed);
}

TEST(SnIccTest, WrongTagOrLength) {
    EXPECT_EQ(outcome(parse("5B0A80250000011234567890")), Outcome::Malformed);
    EXPECT_EQ(outcome(parse("5A0B80250000011234567890AA")), Outcome::Malformed);
    EXPECT_EQ(outcome(parse("5A0980250000011234567890")), Outcome::Malformed);
}

TEST(SnIccTest, NonBcdSerialIsMalformed) {
    EXPECT_EQ(outcome(parse("5A0A80250000011234A67890")), Outcome::Malformed);
    // A digit after the filler.
    EXPECT_EQ(outcome(parse("5A0A8025000001 12345F7890")), Outcome::Malformed);
    // Only filler.
    EXPECT_EQ(outcome(parse("5A0A8025000001 FFFFFFFFFF")), Outcome::Malformed);
}

TEST(SnIccTest, GarbageNeverCrashes) {
    Bytes data;
    for (int len = 0; len < 40; ++len) {
        data.push_back(static_cast<std::uint8_t>(len * 37 + 11));
        const SnIcc r = parseSnIcc(data);
        EXPECT_NE(outcome(r), Outcome::Ok);
    }
}

TEST(SnIccTest, EncodeRoundTrips) {
    for (const char* serial : {"1", "992138450", "1234567890", "0000000001"}) {
        const Bytes file = encodeSnIcc(serial);
        ASSERT_EQ(file.size(), 12u) << serial;
        const SnIcc r = parseSnIcc(file);
        ASSERT_EQ(outcome(r), Outcome::Ok) << r.error().message;
        EXPECT_EQ(*r, serial);
    }
    EXPECT_EQ(encodeSnIcc("992138450"), *fromHex("5A0A8025000001992138450F"));
}

TEST(SnIccTest, EncodeRejectsBadSerials) {
    EXPECT_TRUE(encodeSnIcc("").empty());
    EXPECT_TRUE(encodeSnIcc("12345678901").empty());
    EXPECT_TRUE(encodeSnIcc("12a4").empty());
}
