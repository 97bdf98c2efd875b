// SPDX-License-Identifier: EUPL-1.2
#include "card/CertificateVerifier.h"

#include "TestPki.h"

#include <gtest/gtest.h>

#include <openssl/x509v3.h>

using cpslock::Bytes;
using cpslock::RefusalReason;
using cpslock::card::CardProfile;
using cpslock::card::CardType;
using cpslock::card::CertificateCheck;
using cpslock::card::CertificateVerifier;
using cpslock::card::Denylist;
using cpslock::card::RevocationConfig;
using cpslock::card::RevocationMode;
using cpslock::card::TrustStore;
namespace fs = std::filesystem;
namespace tp = cpslock::testpki;
using namespace std::chrono_literals;

namespace {

class CertificateVerifierTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto& pki = tp::pki();
        ASSERT_TRUE(m_trust.addAnchorFolder(pki.dir / "anchors").ok());
        ASSERT_TRUE(m_trust.addIntermediateFolder(pki.dir / "intermediates").ok());
        auto parsed = Denylist::load(pki.dir / "denylist.txt");
        ASSERT_TRUE(parsed.ok());
        m_denylist = std::move(parsed.list);
        m_now = pki.now;
        m_profile = tp::testProfile();
    }

    RevocationConfig revocation(RevocationMode mode, const std::string& crlFolder = "fresh") const {
        return RevocationConfig{mode, tp::pki().dir / "crl" / crlFolder, std::chrono::hours(24 * 7)};
    }

    CertificateCheck verify(const std::string& card, RevocationConfig config,
                            std::chrono::system_clock::time_point now) {
        const CertificateVerifier verifier(m_trust, std::move(config), m_denylist, m_profile);
        return verifier.verify(tp::certOf(card), {}, tp::card(card).cardSerial, now);
    }
    /// The card's certificate judged with this profile (revocation off: the rules only).
    CertificateCheck verifyWith(const std::string& card, const CardProfile& profile) {
        const CertificateVerifier verifier(m_trust, revocation(RevocationMode::Off), m_denylist, profile);
        return verifier.verify(tp::certOf(card), {}, tp::card(card).cardSerial, m_now);
    }
    CertificateVerifier makeVerifier(RevocationConfig config) const {
        return CertificateVerifier(m_trust, std::move(config), m_denylist, m_profile);
    }
    static std::string serial(const std::string& card) { return tp::card(card).cardSerial; }
    CertificateCheck verify(const std::string& card, RevocationConfig config) {
        return verify(card, std::move(config), m_now);
    }
    CertificateCheck verify(const std::string& card) { return verify(card, revocation(RevocationMode::Hard)); }

    static std::string reasonOf(const CertificateCheck& check) {
        return check.refusal ? std::string(toString(check.refusal->reason)) : std::string("ok");
    }

    TrustStore m_trust;
    Denylist m_denylist;
    std::chrono::system_clock::time_point m_now{};
    CardProfile m_profile;
};

} // namespace

TEST_F(CertificateVerifierTest, ValidCpsCard) {
    const auto check = verify("valid-cps");
    ASSERT_TRUE(check.ok()) << check.refusal->detail;
    EXPECT_FALSE(check.revocationUnchecked);
    EXPECT_TRUE(check.warnings.empty());
    EXPECT_EQ(check.sha256Hex, tp::card("valid-cps").sha256);
    EXPECT_EQ(check.notAfter, tp::parseCompactTime("20290101T000000Z"));
    EXPECT_NE(check.subject.find("CN=810002813839"), std::string::npos) << check.subject;
    EXPECT_FALSE(check.publicKeyDer.empty());
    EXPECT_FALSE(check.serialHex.empty());
}

TEST_F(CertificateVerifierTest, ValidStaffCard) {
    const auto check = verify("valid-staff");
    EXPECT_TRUE(check.ok()) << check.refusal->detail;
}

// Every card of the manifest gets the outcome the generator meant for it.
TEST_F(CertificateVerifierTest, EveryManifestCardHasItsExpectedOutcome) {
    ASSERT_GE(tp::pki().cards.size(), 50U);
    for (const auto& [name, card] : tp::pki().cards) {
        EXPECT_EQ(reasonOf(verify(name)), card.expected) << name;
    }
}

TEST_F(CertificateVerifierTest, Expired) {
    const auto check = verify("expired");
    ASSERT_FALSE(check.ok());
    EXPECT_EQ(check.refusal->reason, RefusalReason::Expired) << check.refusal->detail;
    EXPECT_NE(check.refusal->detail.find("notAfter"), std::string::npos);
}

TEST_F(CertificateVerifierTest, NotYetValid) {
    const auto check = verify("not-yet-valid");
    ASSERT_FALSE(check.ok());
    EXPECT_EQ(check.refusal->reason, RefusalReason::NotYetValid) << check.refusal->detail;
}

// Dates come from the injected clock, not the machine's.
TEST_F(CertificateVerifierTest, ValidityFollowsTheInjectedClock) {
    const auto off = revocation(RevocationMode::Off);
    EXPECT_EQ(reasonOf(verify("valid-cps", off, tp::parseCompactTime("20290101T000001Z"))), "expired");
    EXPECT_EQ(reasonOf(verify("valid-cps", off, tp::parseCompactTime("20231231T235959Z"))), "not-yet-valid");
    EXPECT_EQ(reasonOf(verify("expired", off, tp::parseCompactTime("20220101T000000Z"))), "ok");
    EXPECT_EQ(reasonOf(verify("not-yet-valid", off, tp::parseCompactTime("20280101T000000Z"))), "ok");
}

TEST_F(CertificateVerifierTest, RevokedByCrl) {
    const auto check = verify("revoked");
    ASSERT_FALSE(check.ok());
    EXPECT_EQ(check.refusal->reason, RefusalReason::Revoked);
    EXPECT_NE(check.refusal->detail.find("revoked on May 15"), std::string::npos) << check.refusal->detail;
}

TEST_F(CertificateVerifierTest, RevokedEvenInSoftModeAndFromAStaleCrl) {
    EXPECT_EQ(reasonOf(verify("revoked", revocation(RevocationMode::Soft))), "revoked");
    EXPECT_EQ(reasonOf(verify("revoked", revocation(RevocationMode::Hard, "stale"))), "revoked");
    EXPECT_EQ(reasonOf(verify("revoked", revocation(RevocationMode::Soft, "stale"))), "revoked");
}

TEST_F(CertificateVerifierTest, StaleCrlRefusesInHardMode) {
    const auto check = verify("valid-cps", revocation(RevocationMode::Hard, "stale"));
    ASSERT_FALSE(check.ok());
    EXPECT_EQ(check.refusal->reason, RefusalReason::CrlStale);
    EXPECT_NE(check.refusal->detail.find("AC IGC-SANTE FORT PERSONNES (TEST)"), std::string::npos)
        << check.refusal->detail;
}

TEST_F(CertificateVerifierTest, StaleCrlWarnsInSoftMode) {
    const auto check = verify("valid-cps", revocation(RevocationMode::Soft, "stale"));
    ASSERT_TRUE(check.ok()) << check.refusal->detail;
    EXPECT_TRUE(check.revocationUnchecked);
    ASSERT_FALSE(check.warnings.empty());
    EXPECT_NE(check.warnings.front().find("expired"), std::string::npos) << check.warnings.front();
}

TEST_F(CertificateVerifierTest, CrlOlderThanMaxAgeIsStale) {
    // The fresh intermediate CRL was issued two days before TEST_NOW.
    auto config = revocation(RevocationMode::Hard);
    config.maxCrlAge = 24h;
    EXPECT_EQ(reasonOf(verify("valid-cps", config)), "crl-stale");
    config.maxCrlAge = 72h;
    EXPECT_EQ(reasonOf(verify("valid-cps", config)), "ok");
}

TEST_F(CertificateVerifierTest, CrlFromTheFutureIsStale) {
    EXPECT_EQ(reasonOf(verify("valid-cps", revocation(RevocationMode::Hard), tp::parseCompactTime("20260525T000000Z"))),
              "crl-stale");
}

TEST_F(CertificateVerifierTest, MissingCrlRefusesInHardModeAndWarnsInSoftMode) {
    EXPECT_EQ(reasonOf(verify("valid-cps", revocation(RevocationMode::Hard, "empty"))), "crl-stale");
    EXPECT_EQ(reasonOf(verify("valid-cps", revocation(RevocationMode::Hard, "no-such-folder"))), "crl-stale");
    const auto soft = verify("valid-cps", revocation(RevocationMode::Soft, "empty"));
    EXPECT_TRUE(soft.ok());
    EXPECT_TRUE(soft.revocationUnchecked);
}

// A CRL carrying the intermediate's name but signed by another key is ignored.
TEST_F(CertificateVerifierTest, CrlWithTheRightNameButAnotherKeyIsIgnored) {
    EXPECT_EQ(reasonOf(verify("valid-cps", revocation(RevocationMode::Hard, "rogue"))), "crl-stale");
}

TEST_F(CertificateVerifierTest, RevocationOffSkipsCrls) {
    const auto check = verify("revoked", revocation(RevocationMode::Off));
    EXPECT_TRUE(check.ok());
    EXPECT_TRUE(check.revocationUnchecked);
}

TEST_F(CertificateVerifierTest, ForeignCa) {
    const auto check = verify("foreign");
    ASSERT_FALSE(check.ok());
    EXPECT_EQ(check.refusal->reason, RefusalReason::UntrustedChain) << check.refusal->detail;
}

TEST_F(CertificateVerifierTest, ForeignCardWithItsOwnIntermediateIsStillUntrusted) {
    const CertificateVerifier verifier = makeVerifier(revocation(RevocationMode::Off));
    const auto check = verifier.verify(tp::certOf("foreign"),
                                       {tp::readBytes(tp::pki().dir / "foreign/foreign-intermediate.der"),
                                        tp::readBytes(tp::pki().dir / "foreign/foreign-root.der")},
                                       "", m_now);
    EXPECT_EQ(reasonOf(check), "untrusted-chain");
}

// Partial chains are not accepted: an intermediate alone never anchors.
TEST_F(CertificateVerifierTest, IntermediateAloneIsNotATrustAnchor) {
    TrustStore onlyIntermediate;
    ASSERT_TRUE(onlyIntermediate.addAnchorFile(tp::pki().dir / "intermediates/intermediate.der").ok());
    EXPECT_TRUE(onlyIntermediate.anchors().empty());
    const CertificateVerifier verifier(onlyIntermediate, revocation(RevocationMode::Off), m_denylist, m_profile);
    EXPECT_EQ(reasonOf(verifier.verify(tp::certOf("valid-cps"), {}, serial("valid-cps"), m_now)), "untrusted-chain");
}

TEST_F(CertificateVerifierTest, IntermediateReadFromTheCard) {
    TrustStore rootOnly;
    ASSERT_TRUE(rootOnly.addAnchorFolder(tp::pki().dir / "anchors").ok());
    const CertificateVerifier verifier(rootOnly, revocation(RevocationMode::Hard), m_denylist, m_profile);
    EXPECT_EQ(reasonOf(verifier.verify(tp::certOf("valid-cps"), {}, serial("valid-cps"), m_now)), "untrusted-chain");
    const auto check = verifier.verify(
        tp::certOf("valid-cps"), {Bytes{0x01, 0x02}, tp::readBytes(tp::pki().dir / "intermediates/intermediate.der")},
        serial("valid-cps"), m_now);
    EXPECT_TRUE(check.ok()) << check.refusal->detail;
    EXPECT_EQ(check.warnings.size(), 1U); // the unparsable one
}

TEST_F(CertificateVerifierTest, NoDigitalSignature) {
    const auto check = verify("no-digsig");
    ASSERT_FALSE(check.ok());
    EXPECT_EQ(check.refusal->reason, RefusalReason::BadKeyUsage) << check.refusal->detail;
}

TEST_F(CertificateVerifierTest, DenylistedBySerial) {
    const auto serialOnly = Denylist::parse("serial:" + tp::card("denylisted").cardSerial + "\n", "deny");
    ASSERT_TRUE(serialOnly.ok());
    const CertificateVerifier verifier(m_trust, revocation(RevocationMode::Hard), serialOnly.list, m_profile);
    const auto check = verifier.verify(tp::certOf("denylisted"), {}, tp::card("denylisted").cardSerial, m_now);
    ASSERT_FALSE(check.ok());
    EXPECT_EQ(check.refusal->reason, RefusalReason::Denylisted);
    EXPECT_NE(check.refusal->detail.find("deny:1"), std::string::npos) << check.refusal->detail;
    // Without the card serial the certificate itself is not listed (and the token id is unchecked).
    EXPECT_EQ(reasonOf(verifier.verify(tp::certOf("denylisted"), {}, "", m_now)), "card-serial-mismatch");
}

TEST_F(CertificateVerifierTest, DenylistedByCertificateFingerprint) {
    const auto shaOnly = Denylist::parse("sha256:" + tp::card("denylisted").sha256 + " 2026-05-01 volée\n", "deny");
    ASSERT_TRUE(shaOnly.ok());
    const CertificateVerifier verifier(m_trust, revocation(RevocationMode::Hard), shaOnly.list, m_profile);
    const auto check = verifier.verify(tp::certOf("denylisted"), {}, "", m_now);
    ASSERT_FALSE(check.ok());
    EXPECT_EQ(check.refusal->reason, RefusalReason::Denylisted);
    EXPECT_NE(check.refusal->detail.find("volée"), std::string::npos);
    EXPECT_TRUE(verifier.verify(tp::certOf("valid-cps"), {}, serial("valid-cps"), m_now).ok());
}

TEST_F(CertificateVerifierTest, GarbageDerIsMalformedAndNamedByItsHash) {
    const CertificateVerifier verifier = makeVerifier(revocation(RevocationMode::Hard));
    const Bytes valid = tp::certOf("valid-cps");
    const std::vector<Bytes> garbage{
        {},
        {0x30},
        {0x30, 0x82, 0xFF, 0xFF, 0x00},
        Bytes(valid.begin(), valid.begin() + static_cast<long>(valid.size() - 10)),
        [&] {
            Bytes b = valid;
            b.push_back(0x00);
            return b;
        }(),
        Bytes(500, 0x41),
    };
    for (const auto& der : garbage) {
        const auto check = verifier.verify(der, {}, "1000000001", m_now);
        ASSERT_FALSE(check.ok());
        EXPECT_EQ(check.refusal->reason, RefusalReason::MalformedCertificate) << check.refusal->detail;
        EXPECT_NE(check.refusal->detail.find("sha256 " + check.sha256Hex), std::string::npos) << check.refusal->detail;
        EXPECT_EQ(check.sha256Hex.size(), 64U);
    }
}

TEST_F(CertificateVerifierTest, TamperedSignatureIsUntrusted) {
    Bytes der = tp::certOf("valid-cps");
    der[der.size() - 5] ^= 0x01; // inside the signature value
    const CertificateVerifier verifier = makeVerifier(revocation(RevocationMode::Off));
    EXPECT_EQ(reasonOf(verifier.verify(der, {}, serial("valid-cps"), m_now)), "untrusted-chain");
}

// The real IGC-Santé hierarchy builds: the FORT PERSONNES intermediate chains to the FORT root
// (it then fails the end-entity check, being a CA and not a card certificate).
TEST_F(CertificateVerifierTest, RealIgcSanteIntermediateChainsToItsRoot) {
    TrustStore real;
    ASSERT_TRUE(real.addAnchorFolder(CPSLOCK_IGC_SANTE_DIR).ok());
    const CertificateVerifier verifier(real, revocation(RevocationMode::Off), m_denylist);
    const Bytes personnes = tp::readBytes(fs::path(CPSLOCK_IGC_SANTE_DIR) / "AC_FORT_PERSONNES_20130625.cer");
    EXPECT_EQ(reasonOf(verifier.verify(personnes, {}, "1000000001", m_now)), "not-end-entity");
    EXPECT_EQ(reasonOf(verifier.verify(personnes, {}, "1000000001", tp::parseCompactTime("20340101T000000Z"))),
              "expired");
    // Our test cards do not chain to the real roots.
    EXPECT_EQ(reasonOf(verifier.verify(tp::certOf("valid-cps"), {}, serial("valid-cps"), m_now)), "untrusted-chain");
}

// A card presenting a self-signed certificate (even one named like our root) is not trusted.
TEST_F(CertificateVerifierTest, SelfSignedCardCertificateIsUntrusted) {
    const CertificateVerifier verifier = makeVerifier(revocation(RevocationMode::Off));
    EXPECT_EQ(reasonOf(verifier.verify(tp::readBytes(tp::pki().dir / "foreign/foreign-root.der"), {}, "", m_now)),
              "untrusted-chain");
    const auto rogue = tp::readBytes(tp::pki().dir / "rogue-root.der");
    ASSERT_FALSE(rogue.empty());
    EXPECT_EQ(reasonOf(verifier.verify(rogue, {}, "", m_now)), "untrusted-chain");
}

// --- The IGC-Santé card authentication profile (docs/card-identity.md): one test per rule, each
// on a hostile certificate of the test PKI that otherwise looks like a genuine card's.

namespace {

struct Case {
    const char* card;
    RefusalReason reason;
    const char* detail; ///< a word the refusal detail must contain
};

void expectRefused(const CertificateCheck& check, const Case& c) {
    ASSERT_FALSE(check.ok()) << c.card << " was accepted";
    EXPECT_EQ(toString(check.refusal->reason), toString(c.reason)) << c.card << ": " << check.refusal->detail;
    EXPECT_NE(check.refusal->detail.find(c.detail), std::string::npos) << c.card << ": " << check.refusal->detail;
}

} // namespace

TEST_F(CertificateVerifierTest, CaCertificateUnderTheTrustedIntermediateIsNotEndEntity) {
    for (const Case& c : {Case{"hostile-ca-true", RefusalReason::NotEndEntity, "CA:TRUE"},
                          Case{"hostile-keycertsign", RefusalReason::NotEndEntity, "keyCertSign"},
                          Case{"hostile-crlsign", RefusalReason::NotEndEntity, "cRLSign"}})
        expectRefused(verify(c.card), c);
}

TEST_F(CertificateVerifierTest, KeyUsageMustBeCriticalDigitalSignatureWithoutNonRepudiation) {
    for (const Case& c : {Case{"hostile-ku-noncritical", RefusalReason::BadKeyUsage, "not critical"},
                          Case{"hostile-nonrepudiation", RefusalReason::BadKeyUsage, "nonRepudiation"},
                          Case{"hostile-no-ku", RefusalReason::BadKeyUsage, "no keyUsage"},
                          Case{"no-digsig", RefusalReason::BadKeyUsage, "digitalSignature"}})
        expectRefused(verify(c.card), c);
}

// The card's own signature certificate (keyUsage nonRepudiation, EKU emailProtection, PKUP) chains
// to the same CA as its authentication certificate: it must never log anyone in.
TEST_F(CertificateVerifierTest, TheCardsSignatureCertificateNeverLogsIn) {
    expectRefused(verify("hostile-signature-cert"),
                  {"hostile-signature-cert", RefusalReason::BadKeyUsage, "digitalSignature"});
}

TEST_F(CertificateVerifierTest, ExtendedKeyUsageMustHaveClientAuth) {
    for (const Case& c : {Case{"hostile-eku-email", RefusalReason::BadExtendedKeyUsage, "1.3.6.1.5.5.7.3.4"},
                          Case{"hostile-no-eku", RefusalReason::BadExtendedKeyUsage, "no extendedKeyUsage"},
                          Case{"hostile-eku-any", RefusalReason::BadExtendedKeyUsage, "2.5.29.37.0"},
                          Case{"hostile-eku-client-any", RefusalReason::BadExtendedKeyUsage, "2.5.29.37.0"},
                          Case{"hostile-eku-server", RefusalReason::BadExtendedKeyUsage, "1.3.6.1.5.5.7.3.1"}})
        expectRefused(verify(c.card), c);
    // smartcardLogon next to clientAuth is what the real card carries.
    EXPECT_TRUE(verify("valid-cps").ok());
}

// An IGC-Santé software certificate has a CPS's subject shape; its key lives in a file. Loaded on
// a programmable card it must not become a "CPS", even with the ELEMENTAIRE CA among the anchors.
TEST_F(CertificateVerifierTest, SoftwareCertificateFromElementairePersonnesNeverUnlocks) {
    expectRefused(verify("hostile-software"),
                  {"hostile-software", RefusalReason::IssuerNotAllowed, tp::pki().keyIds.at("elementaire").c_str()});
}

TEST_F(CertificateVerifierTest, ProductCategoryMustSayCard) {
    for (const Case& c : {Case{"hostile-software-fort", RefusalReason::NotCardCertificate, "83"},
                          Case{"hostile-no-category", RefusalReason::NotCardCertificate, "1.2.250.1.71.1.2.5"},
                          Case{"hostile-category-ms", RefusalReason::NotCardCertificate, "82"},
                          Case{"hostile-category-encoding", RefusalReason::NotCardCertificate, "OCTET STRING"}})
        expectRefused(verify(c.card), c);
}

// Category 80 ("CPx de TEST") only with a policy that declares a test PKI.
TEST_F(CertificateVerifierTest, TestCardsNeedADeclaredTestPki) {
    CardProfile production = m_profile;
    production.testPki = false;
    expectRefused(verifyWith("valid-cps", production), {"valid-cps", RefusalReason::NotCardCertificate, "TEST"});
    EXPECT_TRUE(verifyWith("valid-cps", m_profile).ok());
}

TEST_F(CertificateVerifierTest, CardTypeComesFromTheExtension) {
    const auto cpf = verify("cpf");
    ASSERT_TRUE(cpf.ok()) << cpf.refusal->detail;
    ASSERT_TRUE(cpf.profile.holder.has_value());
    EXPECT_EQ(cpf.profile.holder->cardType, CardType::Cpf);
    EXPECT_EQ(cpf.profile.holder->cardTypeSource, cpslock::card::CardTypeSource::CardData);
    const auto cpa = verify("valid-cpa");
    ASSERT_TRUE(cpa.ok()) << cpa.refusal->detail;
    EXPECT_EQ(cpa.profile.holder->cardType, CardType::Cpa);
    EXPECT_EQ(verify("valid-staff").profile.holder->cardType, CardType::Cpe);
    EXPECT_EQ(verify("valid-cps").profile.holder->cardType, CardType::Cps);
}

TEST_F(CertificateVerifierTest, CardTypeMissingUnknownOrContradictedIsRefused) {
    for (const Case& c : {Case{"hostile-no-type", RefusalReason::UnknownCardType, "1.2.250.1.71.1.2.2"},
                          Case{"hostile-type-unknown", RefusalReason::UnknownCardType, "code 7"},
                          Case{"hostile-type-subject", RefusalReason::UnknownCardType, "shape"}})
        expectRefused(verify(c.card), c);
    // The policy's OID -> type table is a cross-check too.
    CardProfile profile = m_profile;
    profile.typeOids[tp::pki().oids.at("cps")] = CardType::Cpe;
    expectRefused(verifyWith("valid-cps", profile), {"valid-cps", RefusalReason::UnknownCardType, "cards.type_oids"});
    profile.typeOids[tp::pki().oids.at("cps")] = CardType::Cps;
    EXPECT_TRUE(verifyWith("valid-cps", profile).ok());
}

TEST_F(CertificateVerifierTest, TokenIdMustNameTheCardInTheReader) {
    for (const Case& c : {Case{"hostile-no-token", RefusalReason::CardSerialMismatch, "1.2.250.1.71.1.2.3"},
                          Case{"hostile-token-malformed", RefusalReason::CardSerialMismatch, "8025000001/<10 digits>"},
                          Case{"hostile-token-other-card", RefusalReason::CardSerialMismatch, "1000000999"},
                          Case{"hostile-token-other-issuer", RefusalReason::CardSerialMismatch, "9999999999"}})
        expectRefused(verify(c.card), c);
    // The genuine certificate of one card copied onto another card.
    const CertificateVerifier v = makeVerifier(revocation(RevocationMode::Off));
    expectRefused(v.verify(tp::certOf("valid-cps"), {}, serial("valid-adeli"), m_now),
                  {"valid-cps on valid-adeli", RefusalReason::CardSerialMismatch, serial("valid-adeli").c_str()});
    expectRefused(v.verify(tp::certOf("valid-cps"), {}, "", m_now),
                  {"valid-cps without serial", RefusalReason::CardSerialMismatch, "unknown"});
    const auto ok = v.verify(tp::certOf("valid-cps"), {}, serial("valid-cps"), m_now);
    ASSERT_TRUE(ok.ok()) << ok.refusal->detail;
    EXPECT_EQ(ok.profile.tokenSerial, serial("valid-cps"));
}

TEST_F(CertificateVerifierTest, CardTypeMustMatchItsIssuer) {
    for (const Case& c : {Case{"hostile-cps-from-standard", RefusalReason::IssuerCardTypeMismatch, "cps"},
                          Case{"hostile-cpe-from-fort", RefusalReason::IssuerCardTypeMismatch, "cpe"}})
        expectRefused(verify(c.card), c);
    // CPF/CPA issuers are configurable: without one, a CPF card has no issuer.
    CardProfile noCpf = m_profile;
    noCpf.issuers[CardType::Cpf].clear();
    expectRefused(verifyWith("cpf", noCpf), {"cpf", RefusalReason::IssuerCardTypeMismatch, "issuers_cpf"});
}

TEST_F(CertificateVerifierTest, OnlyPinnedIssuersAndRootsUnlock) {
    expectRefused(verify("hostile-from-root"), {"hostile-from-root", RefusalReason::IssuerNotAllowed, "root"});
    // The production profile pins the real CAs: the test PKI, though among the anchors, is refused.
    expectRefused(verifyWith("valid-cps", CardProfile::production()),
                  {"valid-cps", RefusalReason::IssuerNotAllowed, "not a card-issuing CA"});
    CardProfile otherRoot = m_profile;
    otherRoot.roots = {tp::pki().keyIds.at("standard-root")};
    expectRefused(verifyWith("valid-cps", otherRoot), {"valid-cps", RefusalReason::IssuerNotAllowed, "pinned root"});
    EXPECT_TRUE(verifyWith("valid-staff", otherRoot).ok());
}

// The default pins are the key identifiers of the real CA certificates shipped in
// installer/trust/igc-sante: FORT PERSONNES for CPS, STANDARD PERSONNES for CPE, their two roots;
// ELEMENTAIRE and ORGANISATIONS never.
TEST_F(CertificateVerifierTest, ProductionPinsAreTheRealCardIssuingCas) {
    const auto skiOf = [](const std::string& file) {
        auto cert = cpslock::card::parseDerCertificate(tp::readBytes(fs::path(CPSLOCK_IGC_SANTE_DIR) / file));
        EXPECT_TRUE(cert) << file;
        const ASN1_OCTET_STRING* ski = cert ? X509_get0_subject_key_id(cert.get()) : nullptr;
        return ski ? cpslock::toHex(std::span<const std::uint8_t>(ASN1_STRING_get0_data(ski),
                                                                  static_cast<std::size_t>(ASN1_STRING_length(ski))))
                   : std::string();
    };
    const CardProfile p = CardProfile::production();
    EXPECT_EQ(p.issuers.at(CardType::Cps), std::vector<std::string>{skiOf("AC_FORT_PERSONNES_20130625.cer")});
    EXPECT_EQ(p.issuers.at(CardType::Cpe), std::vector<std::string>{skiOf("AC_STANDARD_PERSONNES_20130625.cer")});
    EXPECT_TRUE(p.issuers.at(CardType::Cpf).empty());
    EXPECT_TRUE(p.issuers.at(CardType::Cpa).empty());
    EXPECT_EQ(p.roots, (std::vector<std::string>{skiOf("ACR_FORT_20130625.cer"), skiOf("ACR_STANDARD_20130625.cer")}));
    EXPECT_FALSE(p.testPki);
    for (const char* never : {"AC_ELEMENTAIRE_PERSONNES_20130625.cer", "AC_ELEMENTAIRE_ORGANISATIONS_20130625.cer",
                              "AC_STANDARD_ORGANISATIONS_20130625.cer", "AC_FORT_ORGANISATIONS_20130625.cer",
                              "ACR_ELEMENTAIRE_20130625.cer"}) {
        const std::string ski = skiOf(never);
        for (const auto& [type, keys] : p.issuers)
            EXPECT_EQ(std::find(keys.begin(), keys.end(), ski), keys.end()) << never;
        EXPECT_EQ(std::find(p.roots.begin(), p.roots.end(), ski), p.roots.end()) << never;
    }
}

TEST_F(CertificateVerifierTest, CryptoFloorRsa2048AndSha256) {
    for (const Case& c : {Case{"hostile-sha1", RefusalReason::WeakCrypto, "SHA1"},
                          Case{"hostile-rsa1024", RefusalReason::WeakCrypto, "RSA-1024"}})
        expectRefused(verify(c.card), c);
}

TEST_F(CertificateVerifierTest, CertificatePoliciesPresentRecordedAndRequirable) {
    for (const Case& c : {Case{"hostile-no-policy", RefusalReason::BadCertificatePolicy, "no certificatePolicies"},
                          Case{"hostile-any-policy", RefusalReason::BadCertificatePolicy, "anyPolicy"},
                          Case{"hostile-legacy-policy", RefusalReason::BadCertificatePolicy, "GIP-CPS"}})
        expectRefused(verify(c.card), c);
    const auto check = verify("valid-cps");
    ASSERT_TRUE(check.ok());
    EXPECT_EQ(check.profile.policyOids, std::vector<std::string>{tp::pki().oids.at("cps")});
    CardProfile required = m_profile;
    required.requiredPolicyOids = {"1.2.250.1.213.1.7.1.1.1.1.1"};
    expectRefused(verifyWith("valid-cps", required),
                  {"valid-cps", RefusalReason::BadCertificatePolicy, "cards.required_policy_oids"});
    required.requiredPolicyOids.push_back(tp::pki().oids.at("cps"));
    EXPECT_TRUE(verifyWith("valid-cps", required).ok());
}

TEST_F(CertificateVerifierTest, MalformedSubjectIsBadSubjectNotUntrustedChain) {
    for (const Case& c : {Case{"hostile-bad-idnat", RefusalReason::BadSubject, "RPPS"},
                          Case{"hostile-no-country", RefusalReason::BadSubject, "country"},
                          Case{"hostile-country-de", RefusalReason::BadSubject, "FR"},
                          Case{"hostile-upn-other", RefusalReason::BadSubject, "UPN"},
                          Case{"hostile-no-surname", RefusalReason::BadSubject, "SN"}})
        expectRefused(verify(c.card), c);
}

TEST_F(CertificateVerifierTest, Rfc5280EndEntityViolationsAreMalformed) {
    for (const Case& c : {Case{"hostile-unknown-critical", RefusalReason::MalformedCertificate, "1.2.3.4"},
                          Case{"hostile-no-aki", RefusalReason::MalformedCertificate, "authorityKeyIdentifier"},
                          Case{"hostile-ee-pathlen", RefusalReason::MalformedCertificate, "extension"},
                          Case{"hostile-serial-zero", RefusalReason::MalformedCertificate, "serial"},
                          Case{"hostile-serial-negative", RefusalReason::MalformedCertificate, "serial"},
                          Case{"hostile-v1", RefusalReason::MalformedCertificate, "version 1"},
                          Case{"hostile-duplicate-extension", RefusalReason::MalformedCertificate, "2.5.29.32"},
                          Case{"hostile-sigalg-mismatch", RefusalReason::MalformedCertificate, "signature algorithm"}})
        expectRefused(verify(c.card), c);
}

// Every verdict, early refusals included, names the certificate it judged.
TEST_F(CertificateVerifierTest, EveryRefusalNamesTheCertificateItJudged) {
    for (const auto& [name, card] : tp::pki().cards) {
        const auto check = verify(name);
        if (check.ok())
            continue;
        const std::string& detail = check.refusal->detail;
        EXPECT_NE(detail.find("sha256 " + card.sha256), std::string::npos) << name << ": " << detail;
        EXPECT_NE(detail.find("subject \"" + check.subject + "\""), std::string::npos) << name << ": " << detail;
        EXPECT_NE(detail.find("issuer \""), std::string::npos) << name << ": " << detail;
        EXPECT_FALSE(check.issuer.empty()) << name;
    }
}

TEST_F(CertificateVerifierTest, CardOriginIsReadForTheVerdict) {
    const auto check = verify("valid-staff");
    ASSERT_TRUE(check.ok()) << check.refusal->detail;
    EXPECT_EQ(check.profile.origin.productCategory, 0x80);
    EXPECT_EQ(check.profile.origin.cardTypeCode, 2);
    EXPECT_EQ(check.profile.origin.tokenId, "8025000001/" + serial("valid-staff"));
    EXPECT_EQ(check.profile.issuerKeyId, tp::pki().keyIds.at("standard"));
    ASSERT_TRUE(check.profile.holder.has_value());
    EXPECT_EQ(check.profile.holder->idNat, "3340012345/0042");
}
