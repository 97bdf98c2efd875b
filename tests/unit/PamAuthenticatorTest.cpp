// SPDX-License-Identifier: EUPL-1.2
#include "pam/Authenticator.h"

#include "PamFakes.h"
#include "pam/PamVerdict.h"

#include <gtest/gtest.h>

#include <security/_pam_types.h>

using cpslock::Language;
using cpslock::RefusalReason;
using cpslock::userMessage;
using cpslock::pam::AuthChannel;
using cpslock::pam::authenticate;
using cpslock::pam::ModuleOptions;
using cpslock::pam::test::FakeConnector;
using cpslock::pam::test::FakeConversation;
using cpslock::pam::test::FakeDaemon;

namespace {

using Status = AuthChannel::ReadStatus;

struct Scenario {
    FakeConnector launcher;
    FakeConversation conversation;
    ModuleOptions options;
    Language language = Language::French;
    std::optional<std::string> session;

    FakeDaemon& helper() { return *launcher.observed; } ///< before go() only
    const cpslock::pam::test::FakeDaemonRecord& seen() const { return launcher.record; }
    Scenario& line(std::string text) {
        helper().steps.push_back({Status::Line, std::move(text)});
        return *this;
    }
    Scenario& status(Status s) {
        helper().steps.push_back({s, {}});
        return *this;
    }
    cpslock::pam::AuthOutcome go(const std::string& user = "alice") {
        auto connect = launcher.connector();
        return authenticate(options, user, session, language, conversation, connect);
    }
};

} // namespace

TEST(PamAuthenticatorTest, RightPinIsSuccessAndThePinReachesCpslockdOnly) {
    Scenario run;
    run.line("ready tries=3 final=0 reader=R").line("ok user=alice serial=1 cert=ab holder=X ticket=t1");
    const auto outcome = run.go();
    EXPECT_EQ(outcome.pamCode, PAM_SUCCESS);
    EXPECT_EQ(run.seen().secretSeen, "1234");
    EXPECT_EQ(run.conversation.prompts, std::vector<std::string>{"Code porteur CPS (3 essais restants) : "});
    EXPECT_TRUE(run.conversation.errors.empty());
    EXPECT_EQ(outcome.detail.find("1234"), std::string::npos);
    EXPECT_EQ(outcome.ticket, "t1");
    ASSERT_TRUE(run.launcher.request);
    EXPECT_EQ(cpslock::protocol::formatRequest(*run.launcher.request), "auth user=alice\n");
}

TEST(PamAuthenticatorTest, RequestCarriesSessionAndWaitButNeverThePin) {
    Scenario run;
    run.options.waitCard = std::chrono::seconds(15);
    run.session = "c7";
    run.line("refused no-card");
    run.go("bob");
    ASSERT_TRUE(run.launcher.request);
    EXPECT_EQ(cpslock::protocol::formatRequest(*run.launcher.request), "auth session=c7 user=bob wait=15\n");
}

TEST(PamAuthenticatorTest, CpslockdUnreachableIsServiceUnavailableNeverSuccess) {
    Scenario run;
    run.launcher.fail = true;
    const auto outcome = run.go();
    EXPECT_EQ(outcome.pamCode, PAM_AUTHINFO_UNAVAIL);
    EXPECT_EQ(outcome.reason, "service-unavailable");
    EXPECT_EQ(run.conversation.errors,
              std::vector<std::string>{userMessage(RefusalReason::ServiceUnavailable, Language::French)});
}

TEST(PamAuthenticatorTest, CpslockdBusyIsServiceUnavailable) {
    Scenario run;
    run.line("error busy detail=too%20many");
    const auto outcome = run.go();
    EXPECT_EQ(outcome.pamCode, PAM_AUTHINFO_UNAVAIL);
    EXPECT_TRUE(run.conversation.prompts.empty());
}

TEST(PamAuthenticatorTest, WrongPinIsAuthErrWithTheHelpersMessageInTheUsersLanguage) {
    Scenario run;
    run.language = Language::English;
    run.line("ready tries=3 final=0").line("refused wrong-pin tries=2 fr=Faux en=Wrong%20PIN. detail=CKR");
    const auto outcome = run.go();
    EXPECT_EQ(outcome.pamCode, PAM_AUTH_ERR);
    EXPECT_EQ(outcome.reason, "wrong-pin");
    EXPECT_EQ(run.conversation.errors, std::vector<std::string>{"Wrong PIN."});
    EXPECT_EQ(run.conversation.prompts.front(), "CPS card PIN (3 tries left): ");
}

TEST(PamAuthenticatorTest, MissingMessagesFallBackToTheModulesOwnText) {
    Scenario run;
    run.line("ready tries=? final=0").line("refused wrong-pin tries=1");
    run.go();
    EXPECT_EQ(run.conversation.errors,
              std::vector<std::string>{userMessage(RefusalReason::WrongPin, Language::French, 1)});
}

TEST(PamAuthenticatorTest, EveryRefusalBeforeThePinMapsWithoutAskingIt) {
    for (const auto reason : cpslock::allRefusalReasons()) {
        Scenario run;
        run.line("refused " + std::string(toString(reason)));
        const auto outcome = run.go();
        EXPECT_EQ(outcome.pamCode, cpslock::pam::pamReturnFor(reason)) << toString(reason);
        EXPECT_TRUE(run.conversation.prompts.empty()) << toString(reason);
        EXPECT_EQ(run.seen().secretsSent, 0);
        EXPECT_EQ(run.conversation.errors, std::vector<std::string>{userMessage(reason, Language::French)});
        EXPECT_TRUE(run.seen().finished);
    }
}

TEST(PamAuthenticatorTest, NoCardIsAuthinfoUnavail) {
    Scenario run;
    run.line("refused no-card");
    EXPECT_EQ(run.go().pamCode, PAM_AUTHINFO_UNAVAIL);
}

TEST(PamAuthenticatorTest, WaitingCardShowsInsertOnceAndExtendsTheFirstDeadline) {
    Scenario run;
    run.options.timeout = std::chrono::seconds(5);
    run.options.waitCard = std::chrono::seconds(20);
    run.line("waiting-card").line("waiting-card").line("ready tries=3 final=0").line("ok user=alice");
    EXPECT_EQ(run.go().pamCode, PAM_SUCCESS);
    EXPECT_EQ(run.conversation.infos, std::vector<std::string>{"Insérez votre carte CPS"});
    EXPECT_GT(run.seen().readTimeouts.front(), std::chrono::seconds(20));
    EXPECT_LE(run.seen().readTimeouts.back(), std::chrono::seconds(5));
}

TEST(PamAuthenticatorTest, EmptyPinIsRefusedWithoutSpendingACardTry) {
    Scenario run;
    run.conversation.pin = "";
    run.line("ready tries=3 final=0").line("ok user=alice");
    const auto outcome = run.go();
    EXPECT_EQ(outcome.pamCode, PAM_AUTH_ERR);
    EXPECT_EQ(run.seen().secretsSent, 0);
    EXPECT_EQ(run.conversation.errors.size(), 1U);
}

TEST(PamAuthenticatorTest, PinWithALineBreakIsNeverSent) {
    Scenario run;
    run.conversation.pin = "12\n34";
    run.line("ready tries=3 final=0").line("ok user=alice");
    EXPECT_EQ(run.go().pamCode, PAM_AUTH_ERR);
    EXPECT_EQ(run.seen().secretsSent, 0);
}

TEST(PamAuthenticatorTest, OkBeforeThePinIsNeverASuccess) {
    Scenario run;
    run.line("ok user=alice");
    const auto outcome = run.go();
    EXPECT_EQ(outcome.pamCode, PAM_AUTH_ERR);
    EXPECT_EQ(outcome.reason, "daemon-protocol");
    EXPECT_TRUE(run.conversation.prompts.empty());
}

TEST(PamAuthenticatorTest, OkForAnotherUserIsARefusal) {
    Scenario run;
    run.line("ready tries=3 final=0").line("ok user=root");
    EXPECT_EQ(run.go().pamCode, PAM_AUTH_ERR);
}

TEST(PamAuthenticatorTest, ConversationFailureIsARefusalAndTheExchangeIsEnded) {
    Scenario run;
    run.conversation.pin.reset();
    run.line("ready tries=3 final=0");
    EXPECT_EQ(run.go().pamCode, PAM_AUTH_ERR);
    EXPECT_TRUE(run.seen().finished);
}

// Regression for pam_pkcs11 CVE-2025-24531 (a card-only path returned PAM_IGNORE): whatever the
// daemon does short of a well-formed ok after the PIN, the answer is a refusal code, never
// PAM_IGNORE nor PAM_SUCCESS.
TEST(PamAuthenticatorTest, Cve2025_24531_NoFailurePathReturnsIgnoreOrSuccess) {
    const std::vector<std::vector<FakeDaemon::Step>> scripts{
        {},
        {{Status::Timeout, {}}},
        {{Status::Closed, {}}},
        {{Status::Error, {}}},
        {{Status::TooLong, {}}},
        {{Status::Line, ""}},
        {{Status::Line, "garbage"}},
        {{Status::Line, "ok"}},
        {{Status::Line, "ignore"}},
        {{Status::Line, "waiting-card"}, {Status::Timeout, {}}},
        {{Status::Line, "waiting-card"}, {Status::Closed, {}}},
        {{Status::Line, "ready tries=3 final=0"}},
        {{Status::Line, "ready tries=3 final=0"}, {Status::Timeout, {}}},
        {{Status::Line, "ready tries=3 final=0"}, {Status::Closed, {}}},
        {{Status::Line, "ready tries=3 final=0"}, {Status::Line, "ready tries=3 final=0"}},
        {{Status::Line, "ready tries=3 final=0"}, {Status::Line, "waiting-card"}},
        {{Status::Line, "ready tries=3 final=0"}, {Status::Line, "ok"}},
        {{Status::Line, "ready tries=3 final=0"}, {Status::Line, "OK user=alice"}},
        {{Status::Line, "ready tries=3 final=0"}, {Status::Line, "ok user=alice2"}},
        {{Status::Line, "ready tries=3 final=0"}, {Status::Line, "refused success"}},
        {{Status::Line, "ready tries=3 final=0"}, {Status::TooLong, {}}},
    };
    for (std::size_t i = 0; i < scripts.size(); ++i) {
        Scenario run;
        for (const auto& step : scripts[i])
            run.helper().steps.push_back(step);
        const int code = run.go().pamCode;
        EXPECT_NE(code, PAM_SUCCESS) << "script " << i;
        EXPECT_NE(code, PAM_IGNORE) << "script " << i;
        EXPECT_EQ(code, PAM_AUTH_ERR) << "script " << i;
    }
    for (const auto reason : cpslock::allRefusalReasons()) {
        Scenario run;
        run.line("ready tries=3 final=0").line("refused " + std::string(toString(reason)));
        const int code = run.go().pamCode;
        EXPECT_TRUE(code == PAM_AUTH_ERR || code == PAM_AUTHINFO_UNAVAIL) << toString(reason);
    }
    Scenario unsent;
    unsent.helper().acceptSecret = false;
    unsent.line("ready tries=3 final=0").line("ok user=alice");
    EXPECT_EQ(unsent.go().pamCode, PAM_AUTH_ERR);
}
