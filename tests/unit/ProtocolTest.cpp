// SPDX-License-Identifier: EUPL-1.2
#include "protocol/AuthAnswer.h"

#include <gtest/gtest.h>

using cpslock::RefusalReason;
using cpslock::protocol::AuthAnswer;
using cpslock::protocol::escapeField;
using cpslock::protocol::formatAnswer;
using cpslock::protocol::kMaxLineLength;
using cpslock::protocol::parseAnswer;
using cpslock::protocol::unescapeField;

namespace {

AuthAnswer roundTrip(const AuthAnswer& answer) {
    std::string line = formatAnswer(answer);
    EXPECT_EQ(line.back(), '\n');
    line.pop_back();
    EXPECT_EQ(line.find('\n'), std::string::npos);
    const auto parsed = parseAnswer(line);
    EXPECT_TRUE(parsed) << (parsed ? "" : parsed.error().message) << " in " << line;
    return parsed ? *parsed : AuthAnswer{};
}

} // namespace

TEST(PamProtocolTest, EscapingRoundTripsEveryByteButNul) {
    std::string all;
    for (int c = 1; c < 256; ++c)
        all += static_cast<char>(c);
    const std::string escaped = escapeField(all);
    EXPECT_EQ(escaped.find(' '), std::string::npos);
    EXPECT_EQ(escaped.find('\n'), std::string::npos);
    EXPECT_EQ(escaped.find('='), std::string::npos);
    EXPECT_EQ(unescapeField(escaped), all);
    EXPECT_EQ(escapeField("Code porteur incorrect."), "Code%20porteur%20incorrect.");
    EXPECT_EQ(escapeField("Insérez"), "Insérez"); // UTF-8 passes through
}

TEST(PamProtocolTest, MalformedEscapesAreRefused) {
    for (const char* bad : {"%", "%4", "%G0", "%00", "a b", "a\tb", "50%"}) {
        EXPECT_FALSE(unescapeField(bad)) << bad;
    }
}

TEST(PamProtocolTest, ReadyRoundTrips) {
    AuthAnswer ready;
    ready.kind = AuthAnswer::Kind::Ready;
    ready.triesLeft = 2;
    ready.reader = "Virtual PCD 00 00";
    const auto back = roundTrip(ready);
    EXPECT_EQ(back.kind, AuthAnswer::Kind::Ready);
    EXPECT_EQ(back.triesLeft, 2);
    EXPECT_FALSE(back.finalTry);
    EXPECT_EQ(back.reader, "Virtual PCD 00 00");

    ready.triesLeft.reset();
    ready.finalTry = true;
    const auto unknown = roundTrip(ready);
    EXPECT_FALSE(unknown.triesLeft);
    EXPECT_TRUE(unknown.finalTry);
}

TEST(PamProtocolTest, EveryRefusalRoundTripsWithItsMessages) {
    for (const RefusalReason reason : cpslock::allRefusalReasons()) {
        const cpslock::Refusal refusal{reason, "detail with spaces = and %", 1};
        AuthAnswer answer;
        answer.kind = AuthAnswer::Kind::Refused;
        answer.reason = reason;
        answer.triesLeft = refusal.triesLeft;
        answer.messageFr = refusal.messageFr();
        answer.messageEn = refusal.messageEn();
        answer.detail = refusal.detail;
        const auto back = roundTrip(answer);
        EXPECT_EQ(back.kind, AuthAnswer::Kind::Refused);
        EXPECT_EQ(back.reason, reason);
        EXPECT_EQ(back.messageFr, refusal.messageFr());
        EXPECT_EQ(back.messageEn, refusal.messageEn());
        EXPECT_EQ(back.detail, refusal.detail);
        EXPECT_EQ(back.triesLeft, 1);
    }
}

TEST(PamProtocolTest, OkRoundTrips) {
    AuthAnswer ok;
    ok.kind = AuthAnswer::Kind::Ok;
    ok.user = "alice";
    ok.serial = "0123456789";
    ok.certSha256 = "ab01";
    ok.holder = "Jeanne Médecin (810002813839)";
    const auto back = roundTrip(ok);
    EXPECT_EQ(back.kind, AuthAnswer::Kind::Ok);
    EXPECT_EQ(back.user, "alice");
    EXPECT_EQ(back.serial, "0123456789");
    EXPECT_EQ(back.holder, ok.holder);
    EXPECT_EQ(roundTrip([] {
                  AuthAnswer w;
                  w.kind = AuthAnswer::Kind::WaitingCard;
                  return w;
              }())
                  .kind,
              AuthAnswer::Kind::WaitingCard);
}

TEST(PamProtocolTest, GarbageIsRefusedWithAReason) {
    for (const char* bad : {"",
                            "OK",
                            "ok",
                            "ok user=",
                            "okay user=alice",
                            "success",
                            "refused",
                            "refused wrong_pin",
                            "refused WRONG-PIN",
                            "ready",
                            "ready final=2",
                            "ready tries=x final=0",
                            "ready tries=-1 final=0",
                            "ready tries=100 final=0",
                            "ok user=alice user=bob",
                            "ok user=alice junk",
                            "ok user=a%ZZ",
                            "ok =x user=alice",
                            " ok user=alice",
                            "ok  user=alice",
                            "ok user=alice\r"}) {
        const auto parsed = parseAnswer(bad);
        ASSERT_FALSE(parsed) << '"' << bad << '"';
        EXPECT_FALSE(parsed.error().message.empty()) << bad;
    }
}

TEST(PamProtocolTest, UnknownKeysAreIgnoredForLaterVersions) {
    const auto parsed = parseAnswer("ok user=alice since=v2");
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed->user, "alice");
}

TEST(PamProtocolTest, OverlongLinesAreCutByTheWriterAndRefusedByTheReader) {
    AuthAnswer answer;
    answer.kind = AuthAnswer::Kind::Refused;
    answer.reason = RefusalReason::ModuleError;
    answer.detail = std::string(3 * kMaxLineLength, ' ');
    const std::string line = formatAnswer(answer);
    EXPECT_LE(line.size(), kMaxLineLength + 1);
    EXPECT_TRUE(parseAnswer(line.substr(0, line.size() - 1)));
    EXPECT_FALSE(parseAnswer("ok user=" + std::string(kMaxLineLength, 'a')));
}
