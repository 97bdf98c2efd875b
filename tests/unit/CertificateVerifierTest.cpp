#include "card/CertificateVerifier.h"

#include "TestPki.h"

#include <gtest/gtest.h>

using cpslock::Bytes;
using cpslock::RefusalReason;
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
        ASSERT_FALSE(m_trust.addAnchorFolder(pki.dir / "anchors").has_value());
        ASSERT_FALSE(m_trust.addIntermediateFolder(pki.dir / "intermediates").has_value());
        auto parsed = Denylist::load(pki.dir / "denylist.txt");
        ASSERT_TRUE(parsed.ok());
        m_denylist = std::move(parsed.list);
        m_now = pki.now;
    }

    RevocationConfig revocation(RevocationMode mode, const std::string& crlFolder = "fresh") const {
        return RevocationConfig{mode, tp::pki().dir / "crl" / crlFolder, std::chrono::hours(24 * 7)};
    }

    CertificateCheck verify(const std::string& card, RevocationConfig config, std::chrono::system_clock::time_point now) {
        const CertificateVerifier verifier(m_trust, std::move(config), m_denylist);
        return verifier.verify(tp::certOf(card), {}, tp::card(card).cardSerial, now);
    }
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
    ASSERT_GE(tp::pki().cards.size(), 10U);
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
    const CertificateVerifier verifier(m_trust, revocation(RevocationMode::Off), m_denylist);
    const auto check = verifier.verify(tp::certOf("foreign"),
                                       {tp::readBytes(tp::pki().dir / "foreign/foreign-intermediate.der"),
                                        tp::readBytes(tp::pki().dir / "foreign/foreign-root.der")},
                                       "", m_now);
    EXPECT_EQ(reasonOf(check), "untrusted-chain");
}

// Partial chains are not accepted: an intermediate alone never anchors.
TEST_F(CertificateVerifierTest, IntermediateAloneIsNotATrustAnchor) {
    TrustStore onlyIntermediate;
    ASSERT_FALSE(onlyIntermediate.addAnchorFile(tp::pki().dir / "intermediates/intermediate.der").has_value());
    EXPECT_TRUE(onlyIntermediate.anchors().empty());
    const CertificateVerifier verifier(onlyIntermediate, revocation(RevocationMode::Off), m_denylist);
    EXPECT_EQ(reasonOf(verifier.verify(tp::certOf("valid-cps"), {}, "", m_now)), "untrusted-chain");
}

TEST_F(CertificateVerifierTest, IntermediateReadFromTheCard) {
    TrustStore rootOnly;
    ASSERT_FALSE(rootOnly.addAnchorFolder(tp::pki().dir / "anchors").has_value());
    const CertificateVerifier verifier(rootOnly, revocation(RevocationMode::Hard), m_denylist);
    EXPECT_EQ(reasonOf(verifier.verify(tp::certOf("valid-cps"), {}, "", m_now)), "untrusted-chain");
    const auto check = verifier.verify(tp::certOf("valid-cps"),
                                       {Bytes{0x01, 0x02}, tp::readBytes(tp::pki().dir / "intermediates/intermediate.der")},
                                       "", m_now);
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
    const CertificateVerifier verifier(m_trust, revocation(RevocationMode::Hard), serialOnly.list);
    const auto check = verifier.verify(tp::certOf("denylisted"), {}, tp::card("denylisted").cardSerial, m_now);
    ASSERT_FALSE(check.ok());
    EXPECT_EQ(check.refusal->reason, RefusalReason::Denylisted);
    EXPECT_NE(check.refusal->detail.find("deny:1"), std::string::npos) << check.refusal->detail;
    // Without the card serial the certificate itself is not listed.
    EXPECT_TRUE(verifier.verify(tp::certOf("denylisted"), {}, "", m_now).ok());
}

TEST_F(CertificateVerifierTest, DenylistedByCertificateFingerprint) {
    const auto shaOnly = Denylist::parse("sha256:" + tp::card("denylisted").sha256 + " 2026-05-01 volée\n", "deny");
    ASSERT_TRUE(shaOnly.ok());
    const CertificateVerifier verifier(m_trust, revocation(RevocationMode::Hard), shaOnly.list);
    const auto check = verifier.verify(tp::certOf("denylisted"), {}, "", m_now);
    ASSERT_FALSE(check.ok());
    EXPECT_EQ(check.refusal->reason, RefusalReason::Denylisted);
    EXPECT_NE(check.refusal->detail.find("volée"), std::string::npos);
    EXPECT_TRUE(verifier.verify(tp::certOf("valid-cps"), {}, "", m_now).ok());
}

TEST_F(CertificateVerifierTest, GarbageDerIsUntrusted) {
    const CertificateVerifier verifier(m_trust, revocation(RevocationMode::Hard), m_denylist);
    const Bytes valid = tp::certOf("valid-cps");
    const std::vector<Bytes> garbage{
        {},
        {0x30},
        {0x30, 0x82, 0xFF, 0xFF, 0x00},
        Bytes(valid.begin(), valid.begin() + static_cast<long>(valid.size() - 10)),
        [&] { Bytes b = valid; b.push_back(0x00); return b; }(),
        Bytes(500, 0x41),
    };
    for (const auto& der : garbage) {
        const auto check = verifier.verify(der, {}, "", m_now);
        ASSERT_FALSE(check.ok());
        EXPECT_EQ(check.refusal->reason, RefusalReason::UntrustedChain) << check.refusal->detail;
    }
}

TEST_F(CertificateVerifierTest, TamperedSignatureIsUntrusted) {
    Bytes der = tp::certOf("valid-cps");
    der[der.size() - 5] ^= 0x01; // inside the signature value
    const CertificateVerifier verifier(m_trust, revocation(RevocationMode::Off), m_denylist);
    EXPECT_EQ(reasonOf(verifier.verify(der, {}, "", m_now)), "untrusted-chain");
}

// The real IGC-Santé hierarchy builds: the FORT PERSONNES intermediate chains to the FORT root
// (it then fails the key-usage check, being a CA and not a card certificate).
TEST_F(CertificateVerifierTest, RealIgcSanteIntermediateChainsToItsRoot) {
    TrustStore real;
    ASSERT_FALSE(real.addAnchorFolder(CPSLOCK_IGC_SANTE_DIR).has_value());
    const CertificateVerifier verifier(real, revocation(RevocationMode::Off), m_denylist);
    const Bytes personnes = tp::readBytes(fs::path(CPSLOCK_IGC_SANTE_DIR) / "AC_FORT_PERSONNES_20130625.cer");
    EXPECT_EQ(reasonOf(verifier.verify(personnes, {}, "", m_now)), "bad-key-usage");
    EXPECT_EQ(reasonOf(verifier.verify(personnes, {}, "", tp::parseCompactTime("20340101T000000Z"))), "expired");
    // Our test cards do not chain to the real roots.
    EXPECT_EQ(reasonOf(verifier.verify(tp::certOf("valid-cps"), {}, "", m_now)), "untrusted-chain");
}

// A card presenting a self-signed certificate (even one named like our root) is not trusted.
TEST_F(CertificateVerifierTest, SelfSignedCardCertificateIsUntrusted) {
    const CertificateVerifier verifier(m_trust, revocation(RevocationMode::Off), m_denylist);
    EXPECT_EQ(reasonOf(verifier.verify(tp::readBytes(tp::pki().dir / "foreign/foreign-root.der"), {}, "", m_now)),
              "untrusted-chain");
    const auto rogue = tp::readBytes(tp::pki().dir / "rogue-root.der");
    ASSERT_FALSE(rogue.empty());
    EXPECT_EQ(reasonOf(verifier.verify(rogue, {}, "", m_now)), "untrusted-chain");
}
