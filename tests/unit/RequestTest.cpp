// SPDX-License-Identifier: EUPL-1.2
// cpslockd's requests come from untrusted local callers: parsing is strict, and every value has one syntax.
#include "protocol/Request.h"
#include "protocol/DaemonClient.h"

#include <gtest/gtest.h>

using namespace cpslock::protocol;

TEST(RequestTest, EveryVerbRoundTrips) {
    const std::vector<Request> requests{
        {Verb::Auth, {{"user", "alice"}, {"session", "c1"}, {"wait", "30"}}},
        {Verb::Attach, {{"ticket", std::string(32, 'a')}, {"session", "7"}}},
        {Verb::SessionCard, {{"session", "c1"}}},
        {Verb::SessionLocked, {{"session", "c1"}, {"generation", "18446744073709551615"}}},
        {Verb::ReportLost, {{"serial", "0123456789"}}},
        {Verb::Ping, {}},
    };
    for (const auto& request : requests) {
        std::string line = formatRequest(request);
        ASSERT_EQ(line.back(), '\n');
        line.pop_back();
        const auto parsed = parseRequest(line);
        ASSERT_TRUE(parsed) << line << ": " << parsed.error().message;
        EXPECT_EQ(parsed->verb, request.verb);
        EXPECT_EQ(parsed->fields, request.fields);
    }
}

TEST(RequestTest, HostileOrMalformedRequestsAreRefusedWithAReason) {
    for (const std::string& bad : std::vector<std::string>{
             "",
             "AUTH user=alice",          // verbs are exact
             "auth",                     // user missing
             "auth user=alice user=bob", // duplicate
             "auth user=alice pin=1234", // the PIN never travels in a request
             "auth user=-rf",            // option-like user name
             "auth user=../root",        // '/' in a user name
             "auth user=a%0Ab",          // control character, escaped
             "auth user=alice wait=601", // out of range
             "auth user=alice wait=-1",
             "auth user=alice session=c1;rm",                         // not a session id
             "attach ticket=XYZ session=c1",                          // not 32 hex digits
             "attach ticket=" + std::string(32, 'A') + " session=c1", // upper case refused
             "session-card",                                          // session missing
             "session-locked session=c1 generation=1x",
             "report-lost serial=12ab",
             "report-lost serial=123456789012345678901", // more than 20 digits
             "ping extra=1",
             "auth  user=alice",                    // empty word
             "auth user=al%ZZice",                  // bad escape
             "auth user=" + std::string(5000, 'a'), // longer than a line
         }) {
        const auto parsed = parseRequest(bad);
        ASSERT_FALSE(parsed) << bad;
        EXPECT_FALSE(parsed.error().message.empty()) << bad;
    }
}

TEST(RequestTest, RepliesCarryCodesAndFields) {
    Reply reply;
    reply.ok = true;
    reply.fields["serial"] = "0123456789";
    std::string line = formatReply(reply);
    line.pop_back();
    auto parsed = parseReply(line);
    ASSERT_TRUE(parsed);
    EXPECT_TRUE(parsed->ok);
    EXPECT_EQ(parsed->get("serial"), "0123456789");

    line = formatReply(errorReply("forbidden", "not yours"));
    line.pop_back();
    parsed = parseReply(line);
    ASSERT_TRUE(parsed);
    EXPECT_FALSE(parsed->ok);
    EXPECT_EQ(parsed->code, "forbidden");
    EXPECT_EQ(parsed->get("detail"), "not yours");

    for (const std::string bad : {"", "ok", "error", "error detail=x", "done a", "done a=%"})
        EXPECT_FALSE(parseReply(bad)) << bad;
}

TEST(RequestTest, SessionCardReplyNeedsASerialAndAGeneration) {
    const cpslock::VerifiedCard card{"Virtual PCD 00 00", "0123456789", "ab", "Jeanne Martin", 4};
    const auto verified = verifiedCardFromReply(replyForCard(card));
    ASSERT_TRUE(verified);
    EXPECT_EQ(*verified, card);

    Reply noSerial = replyForCard(card);
    noSerial.fields["serial"] = "";
    const auto withoutSerial = verifiedCardFromReply(noSerial);
    ASSERT_FALSE(withoutSerial);
    EXPECT_FALSE(withoutSerial.error().message.empty());

    const auto noCard = verifiedCardFromReply(errorReply("no-card", "none"));
    ASSERT_TRUE(noCard) << "no-card is an answer, not an error";
    EXPECT_FALSE(*noCard);
    const auto forbidden = verifiedCardFromReply(errorReply("forbidden", "not yours"));
    ASSERT_FALSE(forbidden);
    EXPECT_FALSE(forbidden.error().message.empty());
}

TEST(RequestTest, UnreachableDaemonIsAnErrorNotAnEmptyAnswer) {
    DaemonAuthority authority(DaemonClient("/nonexistent/cpslockd.sock"), "c1");
    const auto answer = authority.verifiedCard();
    ASSERT_FALSE(answer) << "no card would hide that cpslockd could not be asked";
    EXPECT_NE(answer.error().message.find("unreachable"), std::string::npos) << answer.error().message;
}

TEST(RequestTest, CardInfoNamesAPrintableReader) {
    const auto parsed = parseRequest("card-info reader=Virtual%20PCD%2000%2000");
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed->verb, Verb::CardInfo);
    EXPECT_EQ(parsed->get("reader"), "Virtual PCD 00 00");
    EXPECT_FALSE(parseRequest("card-info"));
    EXPECT_FALSE(parseRequest("card-info reader=a%0Ab")) << "a control character in a reader name";
    EXPECT_FALSE(parseRequest("card-info reader=" + std::string(300, 'r')));
}
