// SPDX-License-Identifier: EUPL-1.2
#include "card/AccountMapping.h"

#include "TestPki.h"

#include <gtest/gtest.h>

using cpslock::RefusalReason;
using cpslock::card::AccountMapping;
using cpslock::card::CardType;
using cpslock::card::HolderIdentity;
using cpslock::card::SharedAccount;

namespace {

HolderIdentity holder(const std::string& idNat, CardType type, const std::string& profession) {
    HolderIdentity h;
    h.idNat = idNat;
    h.cardType = type;
    h.profession = profession;
    return h;
}

const HolderIdentity kDoctor = holder("810002813839", CardType::Cps, "Médecin");
const HolderIdentity kNurse = holder("0751234567", CardType::Cps, "Infirmière");
const HolderIdentity kStaff = holder("3340012345/0042", CardType::Cpe, "");
const HolderIdentity kStudent = holder("810100000017", CardType::Cpf, "Médecin");

AccountMapping clinic() {
    AccountMapping m;
    m.mapHolder("810002813839", "idonnat");
    m.mapHolder("810002813839", "dr-garde");
    m.addSharedAccount({"accueil", {CardType::Cpe, CardType::Cpa}, {}});
    m.addSharedAccount({"consultation", {CardType::Cps}, {"Médecin"}});
    m.addSharedAccount({"soins", {}, {"Infirmière", "Médecin"}});
    return m;
}

void expectNotMapped(const AccountMapping& m, const HolderIdentity& h, const std::string& user) {
    const auto refusal = m.check(h, user);
    ASSERT_FALSE(refusal.ok()) << h.idNat << " -> " << user;
    EXPECT_EQ(refusal.error().reason, RefusalReason::NotMapped);
    EXPECT_NE(refusal.error().detail.find(user), std::string::npos);
}

} // namespace

TEST(AccountMappingTest, PersonalMapping) {
    const auto m = clinic();
    EXPECT_TRUE(m.check(kDoctor, "idonnat").ok());
    EXPECT_TRUE(m.check(kDoctor, "dr-garde").ok());
    expectNotMapped(m, kNurse, "idonnat");
    expectNotMapped(m, kDoctor, "root");
}

TEST(AccountMappingTest, NotMapped) {
    const auto m = clinic();
    expectNotMapped(m, kStaff, "idonnat");
    expectNotMapped(m, kDoctor, "accueil");       // type filter: staff only
    expectNotMapped(m, kNurse, "consultation");   // profession filter
    expectNotMapped(m, kStudent, "consultation"); // type filter: a CPF is not a CPS
    expectNotMapped(m, kDoctor, "");
    expectNotMapped(AccountMapping{}, kDoctor, "idonnat");
}

TEST(AccountMappingTest, SharedAccountsByTypeAndProfession) {
    const auto m = clinic();
    EXPECT_TRUE(m.check(kStaff, "accueil").ok());
    EXPECT_TRUE(m.check(kDoctor, "consultation").ok());
    EXPECT_TRUE(m.check(kNurse, "soins").ok());
    EXPECT_TRUE(m.check(kStudent, "soins").ok());
    expectNotMapped(m, kStaff, "soins");
}

TEST(AccountMappingTest, UnknownTypeNeverMatchesATypeFilter) {
    const auto m = clinic();
    const HolderIdentity unknown = holder("3340012345/0099", CardType::Unknown, "");
    expectNotMapped(m, unknown, "accueil");
}

TEST(AccountMappingTest, EmptyIdNatNeverMatches) {
    AccountMapping m;
    m.mapHolder("", "ghost");
    m.addSharedAccount({"open", {}, {}});
    expectNotMapped(m, holder("", CardType::Cps, ""), "ghost");
    expectNotMapped(m, holder("", CardType::Cps, ""), "open");
    EXPECT_TRUE(m.check(kDoctor, "open").ok());
}

TEST(AccountMappingTest, AccountsForListsPersonalThenSharedWithoutDuplicates) {
    auto m = clinic();
    m.addSharedAccount({"idonnat", {}, {"Médecin"}});
    const std::vector<std::string> expected{"idonnat", "dr-garde", "consultation", "soins"};
    EXPECT_EQ(m.accountsFor(kDoctor), expected);
    EXPECT_EQ(m.accountsFor(kStaff), std::vector<std::string>{"accueil"});
}

// End to end with a generated card: the holder read from the certificate opens only its accounts.
TEST(AccountMappingTest, NotMappedFromACardCertificate) {
    const auto parse =
        cpslock::card::readHolderIdentity(cpslock::testpki::certOf("valid-cps"), cpslock::card::CardTypeRules{});
    ASSERT_TRUE(parse.ok()) << parse.error().message;
    AccountMapping m;
    m.mapHolder("810002813839", "idonnat");
    EXPECT_TRUE(m.check(*parse, "idonnat").ok());
    expectNotMapped(m, *parse, "dr-autre");
    const auto other =
        cpslock::card::readHolderIdentity(cpslock::testpki::certOf("valid-adeli"), cpslock::card::CardTypeRules{});
    ASSERT_TRUE(other.ok()) << other.error().message;
    expectNotMapped(m, *other, "idonnat");
}
