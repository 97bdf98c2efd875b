// SPDX-License-Identifier: EUPL-1.2
#include "pam/PamVerdict.h"

#include <gtest/gtest.h>

#include <security/_pam_types.h>

using cpslock::Language;
using cpslock::RefusalReason;
using cpslock::pam::insertCardText;
using cpslock::pam::pamReturnFor;
using cpslock::pam::pinPrompt;

TEST(PamVerdictTest, CardRefusalsAreAuthErr) {
    for (const auto reason :
         {RefusalReason::WrongPin, RefusalReason::PinLocked, RefusalReason::LastTryRefused,
          RefusalReason::UntrustedChain, RefusalReason::Expired, RefusalReason::NotYetValid, RefusalReason::Revoked,
          RefusalReason::CrlStale, RefusalReason::KeyMismatch, RefusalReason::BadKeyUsage, RefusalReason::Denylisted,
          RefusalReason::CardTypeNotAllowed, RefusalReason::NotMapped, RefusalReason::CardRemoved,
          RefusalReason::NotCps, RefusalReason::Contactless, RefusalReason::SeveralCards,
          RefusalReason::CardNeedsUpdate, RefusalReason::CardNeedsReinit}) {
        EXPECT_EQ(pamReturnFor(reason), PAM_AUTH_ERR) << toString(reason);
    }
}

TEST(PamVerdictTest, CannotDecideIsAuthinfoUnavailSoAnExplicitFallbackCanApply) {
    EXPECT_EQ(pamReturnFor(RefusalReason::NoCard), PAM_AUTHINFO_UNAVAIL);
    EXPECT_EQ(pamReturnFor(RefusalReason::ReaderUnavailable), PAM_AUTHINFO_UNAVAIL);
    EXPECT_EQ(pamReturnFor(RefusalReason::ModuleError), PAM_AUTHINFO_UNAVAIL);
    EXPECT_EQ(pamReturnFor(RefusalReason::PolicyError), PAM_AUTHINFO_UNAVAIL);
    EXPECT_EQ(pamReturnFor(RefusalReason::CardNotUsable), PAM_AUTHINFO_UNAVAIL); // the middleware cannot read it
}

// Regression for pam_pkcs11 CVE-2025-24531: a card path that returned PAM_IGNORE let the stack go on
// as if nothing failed. No reason, known or not, maps to success or ignore.
TEST(PamVerdictTest, Cve2025_24531_NoReasonMapsToIgnoreOrSuccess) {
    for (const auto reason : cpslock::allRefusalReasons()) {
        const int code = pamReturnFor(reason);
        EXPECT_NE(code, PAM_IGNORE) << toString(reason);
        EXPECT_NE(code, PAM_SUCCESS) << toString(reason);
    }
    EXPECT_EQ(pamReturnFor(static_cast<RefusalReason>(999)), PAM_AUTH_ERR);
}

TEST(PamVerdictTest, PromptSaysTheTriesLeftWhenKnown) {
    EXPECT_EQ(pinPrompt(Language::French, std::nullopt, false), "Code porteur CPS : ");
    EXPECT_EQ(pinPrompt(Language::English, std::nullopt, false), "CPS card PIN: ");
    EXPECT_EQ(pinPrompt(Language::French, 3, false), "Code porteur CPS (3 essais restants) : ");
    EXPECT_EQ(pinPrompt(Language::English, 2, false), "CPS card PIN (2 tries left): ");
    EXPECT_EQ(pinPrompt(Language::French, 1, false), "Code porteur CPS (dernier essai avant blocage) : ");
    EXPECT_EQ(pinPrompt(Language::English, std::nullopt, true), "CPS card PIN (last try before the card blocks): ");
    EXPECT_EQ(insertCardText(Language::French), "Insérez votre carte CPS");
    EXPECT_EQ(insertCardText(Language::English), "Insert your CPS card");
}
