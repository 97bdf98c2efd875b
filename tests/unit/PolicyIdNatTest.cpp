// SPDX-License-Identifier: EUPL-1.2
#include "core/policy/IdNat.h"

#include <gtest/gtest.h>

using cpslock::policy::idNatError;
using cpslock::policy::rppsCheckDigitMismatch;

TEST(PolicyIdNatTest, AcceptsKnownFormats) {
    EXPECT_EQ(idNatError("810002813839"), std::nullopt);    // RPPS, from a real certificate subject
    EXPECT_EQ(idNatError("0751234567"), std::nullopt);      // ADELI
    EXPECT_EQ(idNatError("02A1234567"), std::nullopt);      // ADELI, Corsica
    EXPECT_EQ(idNatError("3750100042"), std::nullopt);      // FINESS
    EXPECT_EQ(idNatError("3750100042/AB12"), std::nullopt); // structure / internal id
    EXPECT_EQ(idNatError("512345678901234"), std::nullopt); // another prefix, bounded
}

TEST(PolicyIdNatTest, RefusesMalformed) {
    for (const char* bad :
         {"", "x10002813839", "81000281383", "8100028138390", "81000281383A", "075123456", "07512345678", "02C1234567",
          "3", "3abc/", "3/abc", "3a/b/c", "3ab cd", "5", "912345678901234567890123456789012345678901"}) {
        EXPECT_NE(idNatError(bad), std::nullopt) << bad;
    }
    EXPECT_NE(idNatError("81234")->find("RPPS"), std::string::npos);
    EXPECT_NE(idNatError("0123")->find("ADELI"), std::string::npos);
    EXPECT_NE(idNatError("abc")->find("type digit"), std::string::npos);
}

TEST(PolicyIdNatTest, RppsCheckDigit) {
    EXPECT_FALSE(rppsCheckDigitMismatch("810002813839"));
    EXPECT_TRUE(rppsCheckDigitMismatch("810002813838"));
    EXPECT_FALSE(rppsCheckDigitMismatch("0751234567")); // not an RPPS: nothing to say
}
