// SPDX-License-Identifier: EUPL-1.2
#include "card/HolderIdentity.h"

#include "TestPki.h"

#include <gtest/gtest.h>

using cpslock::Bytes;
using cpslock::RefusalReason;
using cpslock::card::CardType;
using cpslock::card::CardTypeRules;
using cpslock::card::CardTypeSource;
using cpslock::card::checkCardTypeAllowed;
using cpslock::card::HolderIdentity;
using cpslock::card::HolderParse;
using cpslock::card::IdNatKind;
using cpslock::card::parseHolderSubject;
using cpslock::card::readHolderIdentity;
using cpslock::card::SubjectAttribute;
namespace tp = cpslock::testpki;

namespace {

// The OID -> type table the test PKI was generated with (read from its manifest).
CardTypeRules testRules() {
    CardTypeRules rules;
    for (const auto& [name, oid] : tp::pki().oids) {
        rules.policyOids[oid] = *cpslock::card::cardTypeFromString(name);
    }
    return rules;
}

HolderIdentity readCard(const std::string& name, const CardTypeRules& rules) {
    const HolderParse parse = readHolderIdentity(tp::certOf(name), rules);
    EXPECT_TRUE(parse.ok()) << name << ": " << parse.error().message;
    return parse.ok() ? *parse : HolderIdentity{};
}

std::vector<SubjectAttribute> doctor() {
    return {{"C", "FR", 0},
            {"title", "Médecin", 1},
            {"CN", "810002813839", 2},
            {"SN", "DONNAT-GADY", 2},
            {"GN", "ISABELLE", 2}};
}

std::vector<SubjectAttribute> staff() {
    return {{"C", "FR", 0}, {"O", "CLINIQUE DES LILAS", 1}, {"OU", "340012345", 2}, {"CN", "3340012345/0042", 3}};
}

std::string errorOf(const std::vector<SubjectAttribute>& attributes) {
    const auto parse = parseHolderSubject(attributes);
    EXPECT_FALSE(parse.ok());
    return parse.ok() ? std::string() : parse.error().message;
}

std::vector<SubjectAttribute> with(std::vector<SubjectAttribute> attributes, const std::string& type,
                                   const std::string& value) {
    for (auto& a : attributes) {
        if (a.type == type) {
            a.value = value;
        }
    }
    return attributes;
}

std::vector<SubjectAttribute> without(std::vector<SubjectAttribute> attributes, const std::string& type) {
    std::erase_if(attributes, [&](const SubjectAttribute& a) { return a.type == type; });
    return attributes;
}

} // namespace

TEST(HolderIdentityTest, ProfessionalCardFromCertificate) {
    const HolderIdentity h = readCard("valid-cps", testRules());
    EXPECT_EQ(h.idNat, "810002813839");
    EXPECT_EQ(h.idNatKind, IdNatKind::Rpps);
    EXPECT_EQ(h.surname, "DONNAT-GADY");
    EXPECT_EQ(h.givenName, "ISABELLE");
    EXPECT_EQ(h.profession, "Médecin");
    EXPECT_FALSE(h.staffCard);
    EXPECT_EQ(h.cardType, CardType::Cps);
    EXPECT_EQ(h.cardTypeSource, CardTypeSource::PolicyOid);
    EXPECT_EQ(h.policyOids, std::vector<std::string>{tp::pki().oids.at("cps")});
}

TEST(HolderIdentityTest, StaffCardFromCertificate) {
    const HolderIdentity h = readCard("valid-staff", testRules());
    EXPECT_TRUE(h.staffCard);
    EXPECT_EQ(h.idNat, "3340012345/0042");
    EXPECT_EQ(h.idNatKind, IdNatKind::Structure);
    EXPECT_EQ(h.structureIdNat, "3340012345");
    EXPECT_EQ(h.internalId, "0042");
    EXPECT_EQ(h.structureId, "340012345");
    EXPECT_EQ(h.structureName, "CLINIQUE DES LILAS (TEST)");
    EXPECT_EQ(h.cardType, CardType::Cpe);
}

TEST(HolderIdentityTest, AdeliHolderWithAccentsInUtf8) {
    const HolderIdentity h = readCard("valid-adeli", testRules());
    EXPECT_EQ(h.idNatKind, IdNatKind::Adeli);
    EXPECT_EQ(h.idNat, "0751234567");
    EXPECT_EQ(h.surname, "LÉGER-ŒUVRE");
    EXPECT_EQ(h.givenName, "HÉLÈNE");
    EXPECT_EQ(h.profession, "Infirmière");
}

TEST(HolderIdentityTest, TypeNotAllowed) {
    const HolderIdentity cpf = readCard("cpf", testRules());
    EXPECT_EQ(cpf.cardType, CardType::Cpf);
    const std::vector<CardType> cpsAndStaff{CardType::Cps, CardType::Cpe};
    const auto refusal = checkCardTypeAllowed(cpf, cpsAndStaff);
    ASSERT_FALSE(refusal.ok());
    EXPECT_EQ(refusal.error().reason, RefusalReason::CardTypeNotAllowed);
    EXPECT_NE(refusal.error().detail.find("cpf"), std::string::npos) << refusal.error().detail;
    EXPECT_TRUE(checkCardTypeAllowed(readCard("valid-cps", testRules()), cpsAndStaff).ok());
    EXPECT_TRUE(checkCardTypeAllowed(readCard("valid-staff", testRules()), cpsAndStaff).ok());
    const std::vector<CardType> cpfOnly{CardType::Cpf};
    EXPECT_TRUE(checkCardTypeAllowed(cpf, cpfOnly).ok());
    EXPECT_FALSE(checkCardTypeAllowed(cpf, {}).ok());
}

TEST(HolderIdentityTest, CardTypeFromCardDataFirstThenPolicyOidThenSubjectShape) {
    const CardTypeRules noOids;
    const Bytes cpf = tp::certOf("cpf");
    // Without an OID table a CPF looks like a CPS: the documented limit of shape inference.
    auto parse = readHolderIdentity(cpf, noOids);
    ASSERT_TRUE(parse.ok());
    EXPECT_EQ(parse->cardType, CardType::Cps);
    EXPECT_EQ(parse->cardTypeSource, CardTypeSource::SubjectShape);
    parse = readHolderIdentity(cpf, noOids, CardType::Cpf);
    EXPECT_EQ(parse->cardType, CardType::Cpf);
    EXPECT_EQ(parse->cardTypeSource, CardTypeSource::CardData);
    // The card data (the certificate's card-type extension) wins: the policy OID is a cross-check
    // (card/CardProfile checkCardTypeCrossCheck refuses the disagreement).
    parse = readHolderIdentity(cpf, testRules(), CardType::Cps);
    EXPECT_EQ(parse->cardType, CardType::Cps);
    EXPECT_EQ(parse->cardTypeSource, CardTypeSource::CardData);
    parse = readHolderIdentity(cpf, testRules());
    EXPECT_EQ(parse->cardType, CardType::Cpf);
    EXPECT_EQ(parse->cardTypeSource, CardTypeSource::PolicyOid);
    parse = readHolderIdentity(tp::certOf("valid-staff"), noOids);
    EXPECT_EQ(parse->cardType, CardType::Cpe);
}

TEST(HolderIdentityTest, WithoutInferenceAnUnmappedCardIsUnknownAndRefused) {
    CardTypeRules strict;
    strict.inferFromSubject = false;
    const auto parse = readHolderIdentity(tp::certOf("valid-cps"), strict);
    ASSERT_TRUE(parse.ok());
    EXPECT_EQ(parse->cardType, CardType::Unknown);
    const std::vector<CardType> cps{CardType::Cps};
    EXPECT_FALSE(checkCardTypeAllowed(*parse, cps).ok());
}

TEST(HolderIdentityTest, PureProfessionalSubject) {
    const auto parse = parseHolderSubject(doctor());
    ASSERT_TRUE(parse.ok()) << parse.error().message;
    EXPECT_EQ(parse->idNat, "810002813839");
    EXPECT_EQ(parse->idNatKind, IdNatKind::Rpps);
    EXPECT_EQ(parse->cardType, CardType::Unknown); // decided later
}

TEST(HolderIdentityTest, IdNatKinds) {
    const auto kindOf = [](const std::string& cn) {
        const auto parse = parseHolderSubject(with(doctor(), "CN", cn));
        EXPECT_TRUE(parse.ok()) << cn << ": " << parse.error().message;
        return parse.ok() ? parse->idNatKind : IdNatKind::Other;
    };
    EXPECT_EQ(kindOf("899999999999"), IdNatKind::Rpps);
    EXPECT_EQ(kindOf("0751234567"), IdNatKind::Adeli);
    EXPECT_EQ(kindOf("02A1234567"), IdNatKind::Adeli);
    EXPECT_EQ(kindOf("3123456789"), IdNatKind::Structure);
    EXPECT_EQ(kindOf("512345"), IdNatKind::Other);
}

TEST(HolderIdentityTest, MalformedIdNatIsAnError) {
    EXPECT_NE(errorOf(with(doctor(), "CN", "8123")).find("RPPS"), std::string::npos);
    EXPECT_NE(errorOf(with(doctor(), "CN", "81000281383X")).find("RPPS"), std::string::npos);
    EXPECT_NE(errorOf(with(doctor(), "CN", "8100028138391")).find("RPPS"), std::string::npos);
    EXPECT_NE(errorOf(with(doctor(), "CN", "075123")).find("ADELI"), std::string::npos);
    EXPECT_NE(errorOf(with(doctor(), "CN", "X10002813839")).find("type digit"), std::string::npos);
    EXPECT_NE(errorOf(with(doctor(), "CN", "8")).find("CN"), std::string::npos);
    EXPECT_NE(errorOf(with(doctor(), "CN", "8100 0281383")).find("characters"), std::string::npos);
}

TEST(HolderIdentityTest, MissingFieldsAreErrors) {
    EXPECT_NE(errorOf(without(doctor(), "CN")).find("CN"), std::string::npos);
    EXPECT_NE(errorOf(with(doctor(), "CN", "")).find("CN"), std::string::npos);
    EXPECT_NE(errorOf(without(doctor(), "SN")).find("SN"), std::string::npos);
    EXPECT_NE(errorOf(without(doctor(), "GN")).find("GN"), std::string::npos);
    EXPECT_NE(errorOf(without(staff(), "OU")).find("OU"), std::string::npos);
    EXPECT_NE(errorOf(without(staff(), "O")).find("O (structure name)"), std::string::npos);
    EXPECT_NE(errorOf({}).find("CN"), std::string::npos);
    // The profession is optional: without it, profession-based shared accounts simply do not match.
    EXPECT_TRUE(parseHolderSubject(without(doctor(), "title")).ok());
}

TEST(HolderIdentityTest, DuplicatedFieldsAreErrors) {
    for (const char* type : {"CN", "SN", "GN", "title", "C"}) {
        auto attributes = doctor();
        for (const auto& a : doctor()) {
            if (a.type == type) {
                attributes.push_back(a);
            }
        }
        EXPECT_NE(errorOf(attributes).find(std::string("more than one ") + type), std::string::npos) << type;
    }
    auto twoOus = staff();
    twoOus.push_back({"OU", "999", 4});
    EXPECT_NE(errorOf(twoOus).find("more than one OU"), std::string::npos);
}

TEST(HolderIdentityTest, MalformedStaffCn) {
    EXPECT_FALSE(parseHolderSubject(with(staff(), "CN", "3340012345/")).ok());
    EXPECT_FALSE(parseHolderSubject(with(staff(), "CN", "/0042")).ok());
    EXPECT_FALSE(parseHolderSubject(with(staff(), "CN", "3340012345/00/42")).ok());
    EXPECT_FALSE(parseHolderSubject(with(staff(), "CN", "3340012345/00 42")).ok());
    EXPECT_TRUE(parseHolderSubject(staff()).ok());
}

TEST(HolderIdentityTest, OddEncodingsAreErrors) {
    EXPECT_NE(errorOf(with(doctor(), "SN", "DUPONT\x01")).find("control"), std::string::npos);
    EXPECT_NE(errorOf(with(doctor(), "SN", "DUPONT\n")).find("control"), std::string::npos);
    EXPECT_NE(errorOf(with(doctor(), "SN", "M\xC3\x28RE")).find("UTF-8"), std::string::npos);
    EXPECT_NE(errorOf(with(doctor(), "SN", "\xC0\xAF")).find("UTF-8"), std::string::npos);     // overlong '/'
    EXPECT_NE(errorOf(with(doctor(), "SN", "\xED\xA0\x80")).find("UTF-8"), std::string::npos); // surrogate
    EXPECT_NE(errorOf(with(doctor(), "SN", "\xC3")).find("UTF-8"), std::string::npos);
    EXPECT_NE(errorOf(with(doctor(), "SN", "\xC2\x85")).find("control"), std::string::npos); // C1 NEL
    EXPECT_NE(errorOf(with(doctor(), "title", std::string(300, 'A'))).find("too long"), std::string::npos);
    EXPECT_NE(errorOf(with(doctor(), "GN", std::string("ANNE\0X", 6))).find("control"), std::string::npos);
    EXPECT_TRUE(parseHolderSubject(with(doctor(), "SN", "ŒDIPE-ÇA 😀")).ok());
}

TEST(HolderIdentityTest, TooManyAttributesAndUnknownTypes) {
    auto many = doctor();
    for (int i = 0; i < 40; ++i) {
        many.push_back({"2.5.4.5", "x", 10 + i});
    }
    EXPECT_NE(errorOf(many).find("too many"), std::string::npos);
    auto extra = doctor();
    extra.push_back({"2.5.4.5", "serial", 3});
    EXPECT_TRUE(parseHolderSubject(extra).ok());
}

TEST(HolderIdentityTest, GarbageCertificateIsAnError) {
    const CardTypeRules rules;
    EXPECT_FALSE(readHolderIdentity(Bytes{}, rules).ok());
    EXPECT_FALSE(readHolderIdentity(Bytes(64, 0x30), rules).ok());
    const Bytes valid = tp::certOf("valid-cps");
    EXPECT_FALSE(readHolderIdentity(Bytes(valid.begin(), valid.end() - 1), rules).ok());
    // A CA certificate has no holder shape (two OUs, a CN that is not an idNat).
    const auto ca = readHolderIdentity(tp::readBytes(tp::pki().dir / "anchors/root.der"), rules);
    ASSERT_FALSE(ca.ok());
    EXPECT_NE(ca.error().message.find("more than one OU"), std::string::npos) << ca.error().message;
}

TEST(HolderIdentityTest, StableNames) {
    EXPECT_EQ(toString(IdNatKind::Rpps), "rpps");
    EXPECT_EQ(toString(IdNatKind::Adeli), "adeli");
    EXPECT_EQ(toString(IdNatKind::Structure), "structure");
    EXPECT_EQ(toString(IdNatKind::Other), "other");
    for (CardType t : {CardType::Cps, CardType::Cpf, CardType::Cpe, CardType::Cpa, CardType::Unknown}) {
        EXPECT_EQ(cpslock::card::cardTypeFromString(toString(t)), t);
    }
    EXPECT_EQ(cpslock::card::cardTypeFromString("cde"), CardType::Cpe);
    EXPECT_EQ(cpslock::card::cardTypeFromString("cda"), CardType::Cpa);
    EXPECT_FALSE(cpslock::card::cardTypeFromString("CPS"));
}
