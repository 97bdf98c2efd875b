// SPDX-License-Identifier: EUPL-1.2
#include "core/Refusal.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

using cpslock::allRefusalReasons;
using cpslock::Language;
using cpslock::Refusal;
using cpslock::RefusalReason;
using cpslock::refusalReasonFromString;
using cpslock::userMessage;

// The names are an interface (cpslock-auth answers, audit log, policy): this list is the spec
// (the issue's list, plus reader-unavailable and several-cards so a doctor is told the real cause).
TEST(RefusalTest, StableNamesAreExactlyTheIssueList) {
    const std::set<std::string> expected{
        "no-card", "not-cps", "contactless", "wrong-pin", "pin-locked", "last-try-refused", "untrusted-chain",
        "expired", "not-yet-valid", "revoked", "crl-stale", "key-mismatch", "bad-key-usage", "denylisted",
        "card-type-not-allowed", "not-mapped", "card-removed", "module-error", "policy-error", "reader-unavailable",
        "several-cards",
        // cpslockd (issue 10): a card reported lost on this PC; the card authority unreachable
        "reported-lost", "service-unavailable",
        // a card worker that crashed, hung or answered garbage: a refusal, never a fallback
        "check-failed",
        // issue 12: what the real middlewares say of a card they cannot use
        "card-not-usable", "card-needs-update", "card-needs-reinit",
        // issue 11: the IGC-Santé card authentication profile, one reason per rule
        "not-end-entity", "bad-extended-key-usage", "not-card-certificate", "unknown-card-type", "card-serial-mismatch",
        "issuer-not-allowed", "issuer-card-type-mismatch", "weak-crypto", "bad-certificate-policy", "bad-subject",
        "malformed-certificate"};
    std::set<std::string> actual;
    for (RefusalReason reason : allRefusalReasons()) {
        actual.insert(std::string(toString(reason)));
    }
    EXPECT_EQ(actual, expected);
    EXPECT_EQ(allRefusalReasons().size(), expected.size());
}

TEST(RefusalTest, NamesRoundTrip) {
    for (RefusalReason reason : allRefusalReasons()) {
        const auto back = refusalReasonFromString(toString(reason));
        ASSERT_TRUE(back.has_value()) << toString(reason);
        EXPECT_EQ(*back, reason);
    }
    EXPECT_EQ(toString(RefusalReason::CrlStale), "crl-stale");
    EXPECT_EQ(refusalReasonFromString("revoked"), RefusalReason::Revoked);
}

TEST(RefusalTest, UnknownNamesAreRejected) {
    EXPECT_FALSE(refusalReasonFromString(""));
    EXPECT_FALSE(refusalReasonFromString("ok"));
    EXPECT_FALSE(refusalReasonFromString("Revoked"));
    EXPECT_FALSE(refusalReasonFromString("revoked "));
    EXPECT_FALSE(refusalReasonFromString("wrong_pin"));
}

TEST(RefusalTest, EveryReasonHasDistinctFrenchAndEnglishMessages) {
    std::set<std::string> french;
    std::set<std::string> english;
    for (RefusalReason reason : allRefusalReasons()) {
        const std::string fr = userMessage(reason, Language::French);
        const std::string en = userMessage(reason, Language::English);
        EXPECT_FALSE(fr.empty()) << toString(reason);
        EXPECT_FALSE(en.empty()) << toString(reason);
        EXPECT_NE(fr, en) << toString(reason);
        // A doctor reads these: no reason code or jargon leaks into them.
        EXPECT_EQ(fr.find(toString(reason)), std::string::npos) << fr;
        EXPECT_EQ(en.find("X509"), std::string::npos) << en;
        french.insert(fr);
        english.insert(en);
    }
    EXPECT_EQ(french.size(), allRefusalReasons().size());
    EXPECT_EQ(english.size(), allRefusalReasons().size());
}

TEST(RefusalTest, WrongPinSaysHowManyTriesAreLeft) {
    EXPECT_EQ(userMessage(RefusalReason::WrongPin, Language::French, 2),
              "Code porteur incorrect. Il vous reste 2 essais.");
    EXPECT_EQ(userMessage(RefusalReason::WrongPin, Language::French, 1),
              "Code porteur incorrect. Il vous reste 1 essai.");
    EXPECT_EQ(userMessage(RefusalReason::WrongPin, Language::English, 2), "Wrong PIN. 2 tries left.");
    EXPECT_EQ(userMessage(RefusalReason::WrongPin, Language::English, 1), "Wrong PIN. 1 try left.");
    EXPECT_EQ(userMessage(RefusalReason::WrongPin, Language::English), "Wrong PIN.");
    // Tries left only make sense for a wrong PIN.
    EXPECT_EQ(userMessage(RefusalReason::Revoked, Language::English, 2),
              userMessage(RefusalReason::Revoked, Language::English));
}

TEST(RefusalTest, RevokedAndLockedMessagesTellWhatToDo) {
    const std::string revoked = userMessage(RefusalReason::Revoked, Language::French);
    EXPECT_NE(revoked.find("révoquée"), std::string::npos);
    EXPECT_NE(revoked.find("ANS"), std::string::npos);
    EXPECT_NE(userMessage(RefusalReason::PinLocked, Language::French).find("déblocage"), std::string::npos);
    EXPECT_NE(userMessage(RefusalReason::Expired, Language::English).find("expired"), std::string::npos);
}

TEST(RefusalTest, RefusalCarriesDetailAndMessages) {
    const Refusal refusal{RefusalReason::WrongPin, "C_Login: CKR_PIN_INCORRECT", 2};
    EXPECT_EQ(refusal.messageFr(), "Code porteur incorrect. Il vous reste 2 essais.");
    EXPECT_EQ(refusal.messageEn(), "Wrong PIN. 2 tries left.");
    EXPECT_EQ(refusal.messageFr().find("CKR_"), std::string::npos);
}
