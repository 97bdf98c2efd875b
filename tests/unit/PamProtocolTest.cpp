#include "pam/HelperProtocol.h"

#include <gtest/gtest.h>

using cpslock::RefusalReason;
using cpslock::pam::escapeField;
using cpslock::pam::formatAnswer;
using cpslock::pam::HelperAnswer;
using cpslock::pam::kMaxLineLength;
using cpslock::pam::parseAnswer;
using cpslock::pam::unescapeField;

namespace {

HelperAnswer roundTrip(const HelperAnswer& answer) {
    std::string line = formatAnswer(answer);
    EXPECT_EQ(line.back(), '\n');
    line.pop_back();
    EXPECT_EQ(line.find('\n'), std::string::npos);
    const auto parsed = parseAnswer(line);
    EXPECT_TRUE(parsed.answer) << parsed.error << " in " << line;
    return parsed.answer.value_or(HelperAnswer{});
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
    HelperAnswer ready;
    ready.kind = HelperAnswer::Kind::Ready;
    ready.triesLeft = 2;
    ready.reader = "Virtual PCD 00 00";
    const auto back = roundTrip(ready);
    EXPECT_EQ(back.kind, HelperAnswer::Kind::Ready);
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
        HelperAnswer answer;
        answer.kind = HelperAnswer::Kind::Refused;
        answer.reason = reason;
        answer.triesLeft = refusal.triesLeft;
        answer.messageFr = refusal.messageFr();
        answer.messageEn = refusal.messageEn();
        answer.detail = refusal.detail;
        const auto back = roundTrip(answer);
        EXPECT_EQ(back.kind, HelperAnswer::Kind::Refused);
        EXPECT_EQ(back.reason, reason);
        EXPECT_EQ(back.messageFr, refusal.messageFr());
        EXPECT_EQ(back.messageEn, refusal.messageEn());
        EXPECT_EQ(back.detail, refusal.detail);
        EXPECT_EQ(back.triesLeft, 1);
    }
}

TEST(PamProtocolTest, OkRoundTrips) {
    HelperAnswer ok;
    ok.kind = HelperAnswer::Kind::Ok;
    ok.user = "alice";
    ok.serial = "0123456789";
    ok.certSha256 = "ab01";
    ok.holder = "Jeanne Médecin (810002813839)";
    const auto back = roundTrip(ok);
    EXPECT_EQ(back.kind, HelperAnswer::Kind::Ok);
    EXPECT_EQ(back.user, "alice");
    EXPECT_EQ(back.serial, "0123456789");
    EXPECT_EQ(back.holder, ok.holder);
    EXPECT_EQ(roundTrip([] {
                  HelperAnswer w;
                  w.kind = HelperAnswer::Kind::WaitingCard;
                  return w;
              }())
                  .kind,
              HelperAnswer::Kind::WaitingCard);
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
        EXPECT_FALSE(parsed.answer) << '"' << bad << '"';
        EXPECT_FALSE(parsed.error.empty()) << bad;
    }
}

TEST(PamProtocolTest, UnknownKeysAreIgnoredForLaterVersions) {
    const auto parsed = parseAnswer("ok user=alice since=v2");
    ASSERT_TRUE(parsed.answer) << parsed.error;
    EXPECT_EQ(parsed.answer->user, "alice");
}

TEST(PamProtocolTest, OverlongLinesAreCutByTheWriterAndRefusedByTheReader) {
    HelperAnswer answer;
    answer.kind = HelperAnswer::Kind::Refused;
    answer.reason = RefusalReason::ModuleError;
    answer.detail = std::string(3 * kMaxLineLength, ' ');
    const std::string line = formatAnswer(answer);
    EXPECT_LE(line.size(), kMaxLineLength + 1);
    EXPECT_TRUE(parseAnswer(line.substr(0, line.size() - 1)).answer);
    EXPECT_FALSE(parseAnswer("ok user=" + std::string(kMaxLineLength, 'a')).answer);
}
