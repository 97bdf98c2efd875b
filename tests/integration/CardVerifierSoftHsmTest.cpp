// SPDX-License-Identifier: EUPL-1.2
// CardVerifier end to end against real SoftHSM2 tokens holding the test PKI's card keys and
// certificates: every refusal reason of the card path is asserted on its own token. The PC/SC side is
// a stand-in listing the token's slot description as the reader (SoftHSM tokens are not in a reader);
// the reader path is covered by the OpenSC + cpslock-cardsim tests.

#include "card/CardVerifier.h"
#include "core/SecureBuffer.h"
#include "core/policy/Policy.h"

#include "tests/unit/TestPki.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

using namespace cpslock;
using namespace cpslock::card;
namespace fs = std::filesystem;

namespace {

const std::string kScript = CPSLOCK_SOFTHSM_SCRIPT;
const std::string kModule = CPSLOCK_SOFTHSM_MODULE;

std::string quote(const std::string& s) {
    std::string out = "'";
    for (char c : s)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::optional<std::string> run(const std::vector<std::string>& args) {
    std::string command = "bash " + quote(kScript);
    for (const auto& a : args)
        command += " " + quote(a);
    FILE* p = popen(command.c_str(), "r");
    if (!p)
        return std::nullopt;
    std::string out;
    char buf[256];
    while (std::fgets(buf, sizeof buf, p))
        out += buf;
    return pclose(p) == 0 ? std::optional(out) : std::nullopt;
}

struct Token {
    std::string serial;          ///< SoftHSM's token serial (hex)
    std::string slotDescription; ///< stands for the reader name
    std::string cardSerial;      ///< the EF.SN.ICC serial PC/SC would read: the test PKI's card serial
};

/// The PC/SC side, scripted: each call to cards() returns the next list (the last one repeats).
class ScriptedPresence final : public CardPresence {
public:
    std::vector<std::optional<std::vector<CardInReader>>> answers;
    int calls = 0;
    std::optional<std::vector<CardInReader>> cards() override {
        const auto i = std::min<std::size_t>(static_cast<std::size_t>(calls++), answers.size() - 1);
        return answers[i];
    }
};

class CardVerifierSoftHsmTest : public ::testing::Test {
protected:
    static inline fs::path s_dir;
    static inline std::map<std::string, Token> s_tokens;

    static void SetUpTestSuite() {
        const auto& pki = testpki::pki();
        char dirTemplate[] = "/tmp/cpslock-verifier-XXXXXX";
        ASSERT_NE(mkdtemp(dirTemplate), nullptr);
        s_dir = dirTemplate;
        chmod(s_dir.c_str(), 0755);
        // The policy's anchors folder: every root and intermediate of the test PKI (the card carries
        // none), as the real bundle ships every IGC-Santé CA: the pinned issuers decide.
        fs::create_directories(s_dir / "anchors");
        for (const char* sub : {"anchors", "intermediates"})
            for (const auto& entry : fs::directory_iterator(pki.dir / sub))
                if (entry.path().extension() == ".der")
                    fs::copy_file(entry.path(), s_dir / "anchors" / entry.path().filename(),
                                  fs::copy_options::skip_existing);
        for (const auto& [name, card] : pki.cards)
            addToken(name, card.key, card.cert, card.cardSerial);
        // pam_pkcs11 CVE-2025-24032: a genuine certificate copied onto a token that lacks its key.
        addToken("copied", pki.cards.at("valid-adeli").key, pki.cards.at("valid-cps").cert,
                 pki.cards.at("valid-cps").cardSerial);
        setenv("SOFTHSM2_CONF", (s_dir / "softhsm2.conf").c_str(), 1);
    }

    static void TearDownTestSuite() {
        std::error_code ec;
        fs::remove_all(s_dir, ec);
    }

    static void addToken(const std::string& label, const fs::path& key, const fs::path& cert,
                         const std::string& cardSerial) {
        auto out = run({"token", s_dir.string(), label, "1234"});
        ASSERT_TRUE(out) << label;
        Token t;
        std::istringstream lines(*out);
        for (std::string line; std::getline(lines, line);) {
            if (line.rfind("serial=", 0) == 0)
                t.serial = line.substr(7);
            if (line.rfind("slot_description=", 0) == 0)
                t.slotDescription = line.substr(17);
        }
        ASSERT_FALSE(t.slotDescription.empty());
        t.cardSerial = cardSerial;
        ASSERT_TRUE(run({"import", s_dir.string(), label, "1234", key.string(), cert.string(), "01", "CPS_PRIV_AUT",
                         "Certificat d'Authentification CPS"}));
        s_tokens[label] = t;
    }

    void SetUp() override {
        const auto& pki = testpki::pki();
        policy.pkcs11.modules = {kModule};
        policy.trust.anchorsDir = (s_dir / "anchors").string();
        policy.trust.crlDir = (pki.dir / "crl" / "fresh").string();
        policy.trust.revocation = cpslock::RevocationMode::Hard;
        policy.trust.denylist = (pki.dir / "denylist.txt").string();
        policy.cards.allowedTypes = {cpslock::CardType::Cps};
        policy.accounts.holders["810002813839"] = {"dr.donnat"};
        // The test PKI declared as policy-trust.toml does (tests/data/make-test-pki.sh).
        const auto& ids = pki.keyIds;
        policy.trust.testPki = true;
        policy.trust.issuersCps = {ids.at("fort")};
        policy.trust.issuersCpf = {ids.at("fort")};
        policy.trust.issuersCpe = {ids.at("standard")};
        policy.trust.issuersCpa = {ids.at("standard")};
        policy.trust.roots = {ids.at("fort-root"), ids.at("standard-root")};
    }

    /// The card of test token `name` as the only card, present at the start and at the end.
    void cardIs(const std::string& name, CardKind kind = CardKind::Cps3) {
        const Token& t = s_tokens.at(name);
        presence.answers = {std::vector<CardInReader>{{t.slotDescription, kind, t.cardSerial, {}}}};
    }

    VerifyResult verify(const char* pinText = "1234", std::optional<std::string> user = std::nullopt) {
        SecureBuffer pin;
        for (const char* p = pinText; *p; ++p)
            pin.append(*p);
        CardVerifier verifier(policy, presence);
        verifier.setClock([] { return testpki::pki().now; });
        VerifyResult r = verifier.verify({std::nullopt, std::move(user)}, pin);
        EXPECT_TRUE(pin.empty()) << "the PIN must be wiped on every path";
        return r;
    }

    static std::string reasonOf(const VerifyResult& r) {
        return r.refusal ? std::string(toString(r.refusal->reason)) + " (" + r.refusal->detail + ")" : "ok";
    }

    policy::Policy policy;
    ScriptedPresence presence;
};

#define EXPECT_REFUSED(result, code)                                                                                   \
    do {                                                                                                               \
        const auto& r_ = (result);                                                                                     \
        ASSERT_TRUE(r_.refusal.has_value()) << "accepted, expected " << #code;                                         \
        EXPECT_EQ(r_.refusal->reason, RefusalReason::code) << reasonOf(r_);                                            \
    } while (0)

TEST_F(CardVerifierSoftHsmTest, ValidCpsCardIsVerifiedWithItsHolder) {
    cardIs("valid-cps");
    const VerifyResult r = verify("1234", "dr.donnat");
    ASSERT_TRUE(r.ok()) << reasonOf(r);
    ASSERT_TRUE(r.holder);
    EXPECT_EQ(r.holder->idNat, "810002813839");
    EXPECT_EQ(r.holder->idNatKind, IdNatKind::Rpps);
    EXPECT_EQ(r.holder->surname, "DONNAT-GADY");
    EXPECT_EQ(r.holder->givenName, "ISABELLE");
    EXPECT_EQ(r.holder->profession, "Médecin");
    EXPECT_EQ(r.certSha256, testpki::pki().cards.at("valid-cps").sha256);
    EXPECT_EQ(r.card->serial, s_tokens.at("valid-cps").cardSerial);
    EXPECT_EQ(r.profile.tokenSerial, r.card->serial);
    EXPECT_EQ(r.profile.policyOids, std::vector<std::string>{testpki::pki().oids.at("cps")});
    EXPECT_EQ(r.holder->cardType, CardType::Cps);
    EXPECT_EQ(r.holder->cardTypeSource, CardTypeSource::CardData);
    std::map<std::string, double> steps(r.timings.begin(), r.timings.end());
    for (const char* step : {"module", "login", "signature", "chain", "identity"})
        EXPECT_TRUE(steps.count(step)) << step;
}

TEST_F(CardVerifierSoftHsmTest, WrongPinNeverAccepted_PamP11Pr32) {
    cardIs("valid-cps");
    for (const char* wrong : {"0000", "12345", "123", "4321"})
        EXPECT_REFUSED(verify(wrong), WrongPin);
}

TEST_F(CardVerifierSoftHsmTest, CopiedCertificateWithoutKeyRefused_Cve2025_24032) {
    cardIs("copied");
    EXPECT_REFUSED(verify(), KeyMismatch);
}

TEST_F(CardVerifierSoftHsmTest, EachTrustCaseHasItsReason) {
    const std::map<std::string, RefusalReason> cases{
        {"expired", RefusalReason::Expired},       {"not-yet-valid", RefusalReason::NotYetValid},
        {"revoked", RefusalReason::Revoked},       {"no-digsig", RefusalReason::BadKeyUsage},
        {"denylisted", RefusalReason::Denylisted}, {"foreign", RefusalReason::UntrustedChain},
    };
    for (const auto& [name, reason] : cases) {
        SCOPED_TRACE(name);
        cardIs(name);
        const VerifyResult r = verify();
        ASSERT_TRUE(r.refusal) << name << " accepted";
        EXPECT_EQ(r.refusal->reason, reason) << reasonOf(r);
    }
}

TEST_F(CardVerifierSoftHsmTest, StaleCrlRefusesInHardModeAndWarnsInSoftMode) {
    cardIs("valid-cps");
    policy.trust.crlDir = (testpki::pki().dir / "crl" / "stale").string();
    EXPECT_REFUSED(verify(), CrlStale);
    policy.trust.revocation = cpslock::RevocationMode::Soft;
    const VerifyResult r = verify();
    EXPECT_TRUE(r.ok()) << reasonOf(r);
    EXPECT_FALSE(r.warnings.empty());
}

TEST_F(CardVerifierSoftHsmTest, RevokedCardIsRefusedEvenInSoftMode) {
    cardIs("revoked");
    policy.trust.revocation = cpslock::RevocationMode::Soft;
    EXPECT_REFUSED(verify(), Revoked);
}

TEST_F(CardVerifierSoftHsmTest, CardTypeFilter) {
    cardIs("valid-staff");
    EXPECT_REFUSED(verify(), CardTypeNotAllowed); // a staff card (CPE) where only CPS is allowed
    policy.cards.allowedTypes = {cpslock::CardType::Cps, cpslock::CardType::Cpe};
    const VerifyResult r = verify();
    EXPECT_TRUE(r.ok()) << reasonOf(r);
    ASSERT_TRUE(r.holder);
    EXPECT_TRUE(r.holder->staffCard);

    // A CPF is told apart from a CPS by its card-type extension, not by its subject.
    cardIs("cpf");
    EXPECT_REFUSED(verify(), CardTypeNotAllowed);
    policy.cards.allowedTypes.push_back(cpslock::CardType::Cpf);
    const VerifyResult cpf = verify();
    ASSERT_TRUE(cpf.ok()) << reasonOf(cpf);
    EXPECT_EQ(cpf.holder->cardType, CardType::Cpf);
}

TEST_F(CardVerifierSoftHsmTest, AccountMapping) {
    cardIs("valid-cps");
    EXPECT_REFUSED(verify("1234", "someone.else"), NotMapped);
    EXPECT_TRUE(verify("1234", "dr.donnat").ok());
    policy.accounts.shared.push_back({"consultation", {cpslock::CardType::Cps}, {"Médecin"}});
    EXPECT_TRUE(verify("1234", "consultation").ok());
    cardIs("valid-adeli"); // Infirmière: not a Médecin
    EXPECT_REFUSED(verify("1234", "consultation"), NotMapped);
}

TEST_F(CardVerifierSoftHsmTest, CardGoneOrSwappedBeforeTheEndIsRefused) {
    const Token& t = s_tokens.at("valid-cps");
    const CardInReader card{t.slotDescription, CardKind::Cps3, t.cardSerial, {}};
    presence.answers = {std::vector<CardInReader>{card}, std::vector<CardInReader>{}};
    EXPECT_REFUSED(verify(), CardRemoved);
    CardInReader other = card;
    other.serial = "9999999999";
    presence.calls = 0;
    presence.answers = {std::vector<CardInReader>{card}, std::vector<CardInReader>{other}};
    EXPECT_REFUSED(verify(), CardRemoved);
}

TEST_F(CardVerifierSoftHsmTest, WhatIsInTheReaderComesFirst) {
    presence.answers = {std::vector<CardInReader>{}};
    EXPECT_REFUSED(verify(), NoCard);
    presence.answers = {std::vector<CardInReader>{{"Reader 1", CardKind::Vitale, "", {}}}};
    EXPECT_REFUSED(verify(), NotCps);
    presence.answers = {std::vector<CardInReader>{{"Reader 1", CardKind::Unreadable, "", {}}}};
    EXPECT_REFUSED(verify(), NotCps);
    presence.answers = {std::vector<CardInReader>{{"Reader 1", CardKind::Cps3Contactless, "12", {}}}};
    EXPECT_REFUSED(verify(), Contactless);
    presence.answers = {
        std::vector<CardInReader>{{"Reader 1", CardKind::Cps3, "1", {}}, {"Reader 2", CardKind::Cps4, "2", {}}}};
    EXPECT_REFUSED(verify(), SeveralCards);
    presence.answers = {std::nullopt};
    EXPECT_REFUSED(verify(), ReaderUnavailable);
    // A CPS card whose token no module knows: the card is there, the module cannot read it.
    presence.answers = {std::vector<CardInReader>{{"Reader 1", CardKind::Cps3, "1234567890", {}}}};
    EXPECT_REFUSED(verify(), ModuleError);
}

TEST_F(CardVerifierSoftHsmTest, ConfigurationProblemsAreNamed) {
    cardIs("valid-cps");
    policy.pkcs11.modules = {"/nonexistent/opensc-pkcs11.so"};
    EXPECT_REFUSED(verify(), ModuleError);
    policy.pkcs11.modules = {"/nonexistent/opensc-pkcs11.so", kModule}; // the second one works
    EXPECT_TRUE(verify().ok());
    policy.trust.anchorsDir = (s_dir / "no-such-folder").string();
    EXPECT_REFUSED(verify(), PolicyError);
}

TEST_F(CardVerifierSoftHsmTest, InspectReadsTheCardWithoutPin) {
    cardIs("expired");
    CardVerifier verifier(policy, presence);
    verifier.setClock([] { return testpki::pki().now; });
    const CardReport report = verifier.inspect({});
    ASSERT_FALSE(report.refusal) << report.refusal->detail;
    ASSERT_TRUE(report.certificate);
    EXPECT_EQ(report.certificate->sha256Hex, testpki::pki().cards.at("expired").sha256);
    ASSERT_TRUE(report.certificateRefusal);
    EXPECT_EQ(report.certificateRefusal->reason, RefusalReason::Expired);
    ASSERT_TRUE(report.holder);
    EXPECT_EQ(report.holder->surname, "ANCIEN");
}

// Every card of the test PKI, hostile ones included, gets through the whole verification (PIN,
// signature on the token, then the certificate) exactly the outcome the generator meant for it.
TEST_F(CardVerifierSoftHsmTest, EveryTestPkiCardHasItsOutcomeThroughTheWholeVerification) {
    policy.cards.allowedTypes = {cpslock::CardType::Cps, cpslock::CardType::Cpf, cpslock::CardType::Cpe,
                                 cpslock::CardType::Cpa};
    for (const auto& [name, card] : testpki::pki().cards) {
        SCOPED_TRACE(name);
        cardIs(name);
        const VerifyResult r = verify();
        EXPECT_EQ(r.refusal ? std::string(toString(r.refusal->reason)) : "ok", card.expected) << reasonOf(r);
        if (r.refusal && card.expected != "ok") {
            // The verdict names the certificate it judged.
            EXPECT_NE(r.refusal->detail.find("sha256 " + card.sha256), std::string::npos) << r.refusal->detail;
            EXPECT_EQ(r.certSha256, card.sha256);
        }
    }
}

// The token id ties the certificate to the card PC/SC reads: a genuine card's certificate and key
// copied onto another card (another EF.SN.ICC serial) is refused, though its signature is right.
TEST_F(CardVerifierSoftHsmTest, CertificateOfAnotherCardSerialIsRefused) {
    const Token& t = s_tokens.at("valid-cps");
    presence.answers = {std::vector<CardInReader>{{t.slotDescription, CardKind::Cps3, "1000000042", {}}}};
    const VerifyResult r = verify();
    EXPECT_REFUSED(r, CardSerialMismatch);
    EXPECT_NE(r.refusal->detail.find("1000000042"), std::string::npos) << r.refusal->detail;
}

// The default policy pins the production CAs: the test PKI, though among the anchors, never unlocks.
TEST_F(CardVerifierSoftHsmTest, ProductionPinsRefuseTheTestPki) {
    cardIs("valid-cps");
    const policy::Policy defaults;
    policy.trust.issuersCps = defaults.trust.issuersCps;
    policy.trust.issuersCpe = defaults.trust.issuersCpe;
    policy.trust.roots = defaults.trust.roots;
    policy.trust.testPki = false;
    EXPECT_REFUSED(verify(), IssuerNotAllowed);
}

} // namespace
