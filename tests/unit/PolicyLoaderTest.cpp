// SPDX-License-Identifier: EUPL-1.2
#include "core/policy/PolicyLoader.h"
#include "tests/unit/PolicyTestProbes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

using namespace cpslock;
using namespace cpslock::policy;
using cpslock::policy::probes::acceptEveryPath;
using cpslock::policy::probes::nothingExists;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

namespace {

/// Paths the documents name are accepted without touching the disk unless a test passes a probe.
LoadResult parse(std::vector<PolicyDocument> docs, const PathProbe& probe = acceptEveryPath,
                 const LoadOptions& options = {}) {
    return parsePolicyDocuments(docs, probe, options);
}

LoadResult parseOne(const std::string& text) {
    return parse({{"a.toml", text}});
}

std::vector<std::string> lines(const LoadResult& r, Diagnostic::Severity severity = Diagnostic::Severity::Error) {
    std::vector<std::string> out;
    for (const Diagnostic& d : r.diagnostics) {
        if (d.severity == severity)
            out.push_back(d.format());
    }
    return out;
}

} // namespace

// --- defaults --------------------------------------------------------------------------------

TEST(PolicyLoaderTest, NoDocumentGivesStrictDefaults) {
    const LoadResult r = parse({});
    ASSERT_TRUE(r.ok());
    const Policy& p = r.policy;
    EXPECT_EQ(p.session.removalAction, RemovalAction::Lock);
    EXPECT_EQ(p.session.idleTimeout, Duration{600});
    EXPECT_EQ(p.session.idleWarning, Duration{30});
    EXPECT_TRUE(p.session.requireCard);
    EXPECT_EQ(p.session.requireCardGrace, Duration{10});
    EXPECT_EQ(p.service.lossAction, ServiceLossAction::Lock);
    EXPECT_EQ(p.service.lossGrace, Duration{5});
    EXPECT_THAT(p.pkcs11.modules, ElementsAre("/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"));
    EXPECT_THAT(p.cards.allowedTypes, ElementsAre(CardType::Cps));
    EXPECT_EQ(p.pin.lastTry, FinalTryPolicy::Refuse);
    EXPECT_EQ(p.trust.revocation, RevocationMode::Hard);
    EXPECT_EQ(p.trust.crlMaxAge, Duration{7 * 86400});
    EXPECT_THAT(p.accounts.holders, IsEmpty());
    EXPECT_THAT(p.accounts.shared, IsEmpty());
    EXPECT_EQ(p.lostCard.phone, "0 825 852 000");
    EXPECT_EQ(p.lostCard.web, "https://esante.gouv.fr/assistance");
    EXPECT_THAT(p.lostCard.text, HasSubstr("TOPS"));
    EXPECT_THAT(p.lostCard.text, HasSubstr("formulaire 501"));
    EXPECT_THAT(p.lostCard.text, HasSubstr("e-CPS"));
    EXPECT_EQ(p.audit.sink, AuditDestination::Journald);
    EXPECT_THAT(p.locker.command, IsEmpty());
    EXPECT_THAT(r.provenance, IsEmpty());
}

TEST(PolicyLoaderTest, CommentOnlyFileKeepsDefaults) {
    const LoadResult r = parseOne("# nothing to change here\n");
    ASSERT_TRUE(r.ok()) << ::testing::PrintToString(lines(r));
    EXPECT_EQ(r.policy, Policy{});
}

// --- every key, with provenance -------------------------------------------------------------

TEST(PolicyLoaderTest, ReadsEveryKeyAndRecordsWhereItCameFrom) {
    const LoadResult r = parseOne(R"([session]
removal_action = "logout"
idle_timeout = "5m"
idle_warning = "1m"
require_card = false
require_card_grace = "20s"

[service]
loss_action = "none"
loss_grace = "0s"

[pkcs11]
modules = ["/opt/santesocial/CPS/lib/libcps3_pkcs11_lux.so", "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"]

[cards]
allowed_types = ["CPS", "CPF", "CPE"]

[pin]
last_try = "warn"

[trust]
anchors_dir = "/etc/cpslock/anchors"
crl_dir = "/var/cache/crl"
revocation = "soft"
crl_max_age = "2d"
denylist = "/etc/cpslock/deny"

[accounts]
holders = { "810002813839" = "dr.martin", "0751234567" = "ide.durand" }

[[accounts.shared]]
user = "accueil"
card_types = ["CPE"]
professions = []

[[accounts.shared]]
user = "consult"
card_types = ["CPS", "CPF"]
professions = ["Médecin"]

[lost_card]
phone = "+33 1 23 45 67 89"
web = "https://intranet.example/carte"
text = "Appelez le 1234."

[audit]
sink = "syslog"

[locker]
command = ["/usr/bin/xsecurelock", "--flag"]
)");
    ASSERT_TRUE(r.ok()) << ::testing::PrintToString(lines(r));
    const Policy& p = r.policy;
    EXPECT_EQ(p.session.removalAction, RemovalAction::Logout);
    EXPECT_EQ(p.session.idleTimeout, Duration{300});
    EXPECT_EQ(p.session.idleWarning, Duration{60});
    EXPECT_FALSE(p.session.requireCard);
    EXPECT_EQ(p.session.requireCardGrace, Duration{20});
    EXPECT_EQ(p.service.lossAction, ServiceLossAction::None);
    EXPECT_EQ(p.service.lossGrace, Duration{0});
    EXPECT_THAT(p.pkcs11.modules, ElementsAre("/opt/santesocial/CPS/lib/libcps3_pkcs11_lux.so",
                                              "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"));
    EXPECT_THAT(p.cards.allowedTypes, ElementsAre(CardType::Cps, CardType::Cpf, CardType::Cpe));
    EXPECT_EQ(p.pin.lastTry, FinalTryPolicy::Warn);
    EXPECT_EQ(p.trust.anchorsDir, "/etc/cpslock/anchors");
    EXPECT_EQ(p.trust.crlDir, "/var/cache/crl");
    EXPECT_EQ(p.trust.revocation, RevocationMode::Soft);
    EXPECT_EQ(p.trust.crlMaxAge, Duration{172800});
    EXPECT_EQ(p.trust.denylist, "/etc/cpslock/deny");
    EXPECT_THAT(p.accounts.holders.at("810002813839"), ElementsAre("dr.martin"));
    EXPECT_THAT(p.accounts.holders.at("0751234567"), ElementsAre("ide.durand"));
    ASSERT_EQ(p.accounts.shared.size(), 2U);
    EXPECT_EQ(p.accounts.shared[0], (SharedAccount{"accueil", {CardType::Cpe}, {}}));
    EXPECT_EQ(p.accounts.shared[1], (SharedAccount{"consult", {CardType::Cps, CardType::Cpf}, {"Médecin"}}));
    EXPECT_EQ(p.lostCard.phone, "+33 1 23 45 67 89");
    EXPECT_EQ(p.lostCard.web, "https://intranet.example/carte");
    EXPECT_EQ(p.lostCard.text, "Appelez le 1234.");
    EXPECT_EQ(p.audit.sink, AuditDestination::Syslog);
    EXPECT_THAT(p.locker.command, ElementsAre("/usr/bin/xsecurelock", "--flag"));

    EXPECT_EQ(r.provenance.at("session.removal_action"), (SourceLocation{"a.toml", 2, 1}));
    EXPECT_EQ(r.provenance.at("service.loss_grace"), (SourceLocation{"a.toml", 10, 1}));
    EXPECT_EQ(r.provenance.at("accounts.holders.810002813839"), (SourceLocation{"a.toml", 29, 13}));
    EXPECT_EQ(r.provenance.at("locker.command").line, 50U);
    EXPECT_EQ(r.provenance.count("accounts.holders"), 0U);
}

TEST(PolicyLoaderTest, DottedKeysAtTopLevelWorkToo) {
    const LoadResult r = parseOne("session.idle_timeout = \"15m\"\n");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.policy.session.idleTimeout, Duration{900});
    EXPECT_EQ(r.provenance.at("session.idle_timeout"), (SourceLocation{"a.toml", 1, 9}));
}

// --- drop-in merging --------------------------------------------------------------------------

TEST(PolicyLoaderTest, LaterFileWinsPerKey) {
    const LoadResult r = parse({
        {"main.toml", "[session]\nidle_timeout = \"20m\"\nremoval_action = \"logout\"\n"
                      "[cards]\nallowed_types = [\"CPS\", \"CPF\"]\n"},
        {"policy.d/10-site.toml", "[session]\nidle_timeout = \"5m\"\n[cards]\nallowed_types = [\"CPE\"]\n"},
    });
    ASSERT_TRUE(r.ok()) << ::testing::PrintToString(lines(r));
    EXPECT_EQ(r.policy.session.idleTimeout, Duration{300});               // overridden
    EXPECT_EQ(r.policy.session.removalAction, RemovalAction::Logout);     // kept from main
    EXPECT_THAT(r.policy.cards.allowedTypes, ElementsAre(CardType::Cpe)); // arrays are replaced whole
    EXPECT_EQ(r.provenance.at("session.idle_timeout").file, "policy.d/10-site.toml");
    EXPECT_EQ(r.provenance.at("session.removal_action").file, "main.toml");
    EXPECT_THAT(r.files, ElementsAre("main.toml", "policy.d/10-site.toml"));
}

TEST(PolicyLoaderTest, HoldersMergePerIdNat) {
    const LoadResult r = parse({
        {"main.toml", "[accounts.holders]\n\"810002813839\" = \"dr.martin\"\n\"0751234567\" = \"ide.durand\"\n"},
        {"20.toml", "[accounts.holders]\n\"0751234567\" = \"ide.durand2\"\n\"810003829719\" = \"dr.petit\"\n"},
    });
    ASSERT_TRUE(r.ok()) << ::testing::PrintToString(lines(r));
    EXPECT_EQ(r.policy.accounts.holders.size(), 3U);
    EXPECT_THAT(r.policy.accounts.holders.at("810002813839"), ElementsAre("dr.martin"));
    EXPECT_THAT(r.policy.accounts.holders.at("0751234567"), ElementsAre("ide.durand2"));
    EXPECT_EQ(r.provenance.at("accounts.holders.0751234567").file, "20.toml");
    EXPECT_EQ(r.provenance.at("accounts.holders.810002813839").file, "main.toml");
}

TEST(PolicyLoaderTest, AnInvalidValueInALaterFileDoesNotSilentlyKeepTheEarlierOne) {
    const LoadResult r = parse({{"main.toml", "[session]\nidle_timeout = \"20m\"\n"},
                                {"10.toml", "[session]\nidle_timeout = \"20 minutes\"\n"}});
    EXPECT_FALSE(r.ok());
    EXPECT_THAT(lines(r), ElementsAre(HasSubstr("10.toml:2:16: error: invalid duration '20 minutes'")));
}

// --- unknown keys ---------------------------------------------------------------------------

TEST(PolicyLoaderTest, UnknownKeySuggestsTheNearestKnownOne) {
    const LoadResult r = parse({{"/etc/cpslock/policy.d/10-site.toml", "[session]\n    idle_timout = \"5m\"\n"}});
    EXPECT_THAT(lines(r), ElementsAre("/etc/cpslock/policy.d/10-site.toml:2:5: error: unknown key 'idle_timout' in "
                                      "[session] (did you mean 'idle_timeout'?)"));
}

TEST(PolicyLoaderTest, UnknownKeyInTheWrongSectionSaysWhereItBelongs) {
    const LoadResult r = parseOne("[service]\nidle_timeout = \"5m\"\n");
    EXPECT_THAT(lines(r), ElementsAre("a.toml:2:1: error: unknown key 'idle_timeout' in [service] ('idle_timeout' "
                                      "belongs in [session])"));
}

TEST(PolicyLoaderTest, UnknownKeyWithoutNeighbour) {
    const LoadResult r = parseOne("[pin]\ncompletely_unrelated = 1\n");
    EXPECT_THAT(lines(r), ElementsAre("a.toml:2:1: error: unknown key 'completely_unrelated' in [pin]"));
}

TEST(PolicyLoaderTest, UnknownSection) {
    const LoadResult r = parseOne("[sesion]\nidle_timeout = \"5m\"\n[foo]\n");
    EXPECT_THAT(lines(r), ElementsAre("a.toml:1:2: error: unknown section [sesion] (did you mean [session]?)",
                                      "a.toml:3:2: error: unknown section [foo]"));
}

TEST(PolicyLoaderTest, ContactlessIsRefusedWithItsReason) {
    const LoadResult r = parseOne("[cards]\nallow_contactless = true\n");
    EXPECT_THAT(lines(r), ElementsAre(AllOf(HasSubstr("a.toml:2:1: error: key 'cards.allow_contactless' not supported"),
                                            HasSubstr("no PIN"))));
}

TEST(PolicyLoaderTest, UnknownKeyInSharedAccount) {
    const LoadResult r = parseOne("[[accounts.shared]]\nuser = \"accueil\"\ncard_type = [\"CPE\"]\n");
    EXPECT_THAT(
        lines(r),
        ElementsAre("a.toml:1:1: error: [[accounts.shared]] entry without 'card_types' (say which cards may open it)",
                    "a.toml:3:1: error: unknown key 'card_type' in [[accounts.shared]] (did you mean 'card_types'?)"));
}

TEST(PolicyLoaderTest, ControlCharactersInKeysAreEscapedInMessages) {
    const LoadResult r = parseOne("[session]\n\"evil\\u001b[31m\" = 1\n");
    ASSERT_EQ(lines(r).size(), 1U);
    EXPECT_THAT(lines(r)[0], HasSubstr("unknown key 'evil\\x1b[31m'"));
    EXPECT_EQ(lines(r)[0].find('\x1b'), std::string::npos);
}

// --- wrong types ----------------------------------------------------------------------------

TEST(PolicyLoaderTest, WrongTypesNameExpectedAndFound) {
    const LoadResult r = parseOne(R"([session]
require_card = "true"
idle_timeout = 600
removal_action = 1
[pkcs11]
modules = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"
[audit]
sink = ["journald"]
)");
    EXPECT_THAT(
        lines(r),
        ElementsAre(
            "a.toml:2:16: error: wrong type for 'session.require_card': expected a boolean, got the string \"true\" "
            "(write true without quotes)",
            "a.toml:3:16: error: wrong type for 'session.idle_timeout': expected a duration string, got the integer "
            "600 "
            "(write e.g. \"600s\")",
            "a.toml:4:18: error: wrong type for 'session.removal_action': expected one of \"lock\", \"logout\", "
            "\"none\", "
            "got integer",
            "a.toml:6:11: error: wrong type for 'pkcs11.modules': expected an array, got string",
            "a.toml:8:8: error: wrong type for 'audit.sink': expected one of \"journald\", \"syslog\", \"stderr\", got "
            "array"));
}

TEST(PolicyLoaderTest, SectionGivenAsValue) {
    const LoadResult r = parseOne("session = 3\n");
    EXPECT_THAT(lines(r), ElementsAre("a.toml:1:11: error: wrong type for 'session': expected a table ([session]), "
                                      "got integer"));
}

// --- bad values -----------------------------------------------------------------------------

TEST(PolicyLoaderTest, BadEnumSuggests) {
    const LoadResult r = parseOne("[session]\nremoval_action = \"lokc\"\n[trust]\nrevocation = \"strict\"\n");
    EXPECT_THAT(lines(r), ElementsAre("a.toml:2:18: error: invalid value 'lokc' for 'session.removal_action': expected "
                                      "one of \"lock\", \"logout\", "
                                      "\"none\" (did you mean 'lock'?)",
                                      "a.toml:4:14: error: invalid value 'strict' for 'trust.revocation': expected one "
                                      "of \"hard\", \"soft\", \"off\""));
}

TEST(PolicyLoaderTest, BadDurations) {
    const LoadResult r = parseOne(R"([session]
idle_timeout = "10"
idle_warning = "5 m"
require_card_grace = "1h"
[service]
loss_grace = "-5s"
[trust]
crl_max_age = "0s"
)");
    EXPECT_THAT(
        lines(r),
        ElementsAre(HasSubstr("a.toml:2:16: error: invalid duration '10' for 'session.idle_timeout': missing unit"),
                    HasSubstr("a.toml:3:16: error: invalid duration '5 m' for 'session.idle_warning'"),
                    "a.toml:4:22: error: 'session.require_card_grace' = \"1h\" is out of range (\"0s\" or 0s to 5m)",
                    HasSubstr("a.toml:6:14: error: invalid duration '-5s' for 'service.loss_grace'"),
                    "a.toml:8:15: error: 'trust.crl_max_age' = \"0s\" is out of range (1h to 90d)"));
}

TEST(PolicyLoaderTest, CrlUrlsDefaultToTheCardIssuingCasAndTakeOnlyHttpUrls) {
    EXPECT_THAT(parseOne("").policy.trust.crlUrls, ElementsAre("http://igc-sante.esante.gouv.fr/CRL/ACI-FO-PP.crl",
                                                               "http://igc-sante.esante.gouv.fr/CRL/ACI-ST-PP.crl"));
    const LoadResult ok = parseOne("[trust]\ncrl_urls = [\"https://pki.example/a.crl\", \"http://h:8080/b\"]\n");
    EXPECT_THAT(lines(ok), ElementsAre());
    EXPECT_THAT(ok.policy.trust.crlUrls, ElementsAre("https://pki.example/a.crl", "http://h:8080/b"));
    EXPECT_TRUE(parseOne("[trust]\ncrl_urls = []\n").policy.trust.crlUrls.empty());
    const LoadResult bad = parseOne("[trust]\ncrl_urls = [\"ldap://h/x\", \"http://\", \"http://u:p@h/x\", "
                                    "\"http://h/a b\", \"ftp://h/x\"]\n");
    EXPECT_THAT(lines(bad), ElementsAre(HasSubstr("'ldap://h/x' is not an http:// or https:// URL"),
                                        HasSubstr("'http://' is not"), HasSubstr("'http://u:p@h/x' is not"),
                                        HasSubstr("'http://h/a b' is not"), HasSubstr("'ftp://h/x' is not")));
}

TEST(PolicyLoaderTest, IdleWarningMustBeShorterThanIdleTimeout) {
    const LoadResult r = parseOne("[session]\nidle_timeout = \"1m\"\nidle_warning = \"2m\"\n");
    EXPECT_THAT(lines(r), ElementsAre("a.toml:3:1: error: 'session.idle_warning' (2m) must be shorter than "
                                      "'session.idle_timeout' (1m)"));
    // A disabled idle lock has no warning to check.
    EXPECT_TRUE(parseOne("[session]\nidle_timeout = \"0s\"\nidle_warning = \"2m\"\n").ok());
}

TEST(PolicyLoaderTest, BadIdNatAndUserNames) {
    const LoadResult r = parseOne(R"([accounts.holders]
"81234" = "dr.martin"
"x0751234567" = "ide"
"810002813839" = "-rf"
"0751234567" = "1000"
)");
    EXPECT_THAT(
        lines(r),
        ElementsAre(
            "a.toml:2:1: error: invalid idNat '81234' in 'accounts.holders': '8' announces an RPPS number: 11 digits "
            "(12 characters in all)",
            HasSubstr("a.toml:3:1: error: invalid idNat 'x0751234567' in 'accounts.holders': an idNat starts with its "
                      "type digit"),
            HasSubstr("a.toml:4:18: error: invalid user name '-rf' for 'accounts.holders.810002813839'"),
            HasSubstr("a.toml:5:16: error: invalid user name '1000'")));
}

TEST(PolicyLoaderTest, AHolderMayOpenSeveralAccounts) {
    const LoadResult r = parseOne(R"([accounts.holders]
"810002813839" = ["dr.martin", "martin-admin"]
"0751234567" = "ide.durand"
)");
    ASSERT_TRUE(r.ok()) << ::testing::PrintToString(lines(r));
    EXPECT_THAT(r.policy.accounts.holders.at("810002813839"), ElementsAre("dr.martin", "martin-admin"));
    EXPECT_THAT(r.policy.accounts.holders.at("0751234567"), ElementsAre("ide.durand"));

    const LoadResult bad = parseOne(R"([accounts.holders]
"810002813839" = []
"0751234567" = ["a", "a"]
"810003829719" = 3
"02A1234567" = ["ok", 7]
)");
    EXPECT_THAT(lines(bad), ElementsAre("a.toml:2:18: error: 'accounts.holders.810002813839' lists no account",
                                        "a.toml:3:16: error: 'accounts.holders.0751234567' lists an account twice",
                                        "a.toml:4:18: error: wrong type for 'accounts.holders.810003829719': expected "
                                        "a user name or an array of user "
                                        "names, got integer",
                                        "a.toml:5:23: error: wrong type for 'accounts.holders.02A1234567': expected a "
                                        "user name string, got integer"));
}

TEST(PolicyLoaderTest, CardTypeOidsAndSubjectInference) {
    const LoadResult r = parse({
        {"main.toml", "[cards]\ninfer_type_from_subject = false\n[cards.type_oids]\n\"2.999.1.1\" = \"CPS\"\n"
                      "\"2.999.1.2\" = \"CPF\"\n"},
        {"10.toml", "[cards.type_oids]\n\"2.999.1.2\" = \"CPE\"\n\"1.2.250.1.71.4\" = \"CPA\"\n"},
    });
    ASSERT_TRUE(r.ok()) << ::testing::PrintToString(lines(r));
    EXPECT_FALSE(r.policy.cards.inferTypeFromSubject);
    EXPECT_EQ(r.policy.cards.typeOids,
              (std::map<std::string, CardType>{
                  {"2.999.1.1", CardType::Cps}, {"2.999.1.2", CardType::Cpe}, {"1.2.250.1.71.4", CardType::Cpa}}));
    EXPECT_EQ(r.provenance.at("cards.type_oids.2.999.1.2"), (SourceLocation{"10.toml", 2, 1}));
    EXPECT_TRUE(parse({}).policy.cards.inferTypeFromSubject);

    const LoadResult bad = parseOne(R"([cards.type_oids]
"1.2.250" = "CPS"
"3.1" = "CPS"
"1..2" = "CPS"
"1.02" = "CPS"
"1.2.x" = "CPS"
"1.3" = "CDE"
"1.4" = "XYZ"
)");
    EXPECT_THAT(lines(bad), ElementsAre(HasSubstr("a.toml:3:1: error: invalid OID '3.1'"),
                                        HasSubstr("a.toml:4:1: error: invalid OID '1..2'"),
                                        HasSubstr("a.toml:5:1: error: invalid OID '1.02'"),
                                        HasSubstr("a.toml:6:1: error: invalid OID '1.2.x'"),
                                        "a.toml:7:9: error: card type 'CDE' is written 'CPE' here",
                                        HasSubstr("a.toml:8:9: error: invalid value 'XYZ' for 'cards.type_oids.1.4'")));
}

TEST(PolicyLoaderTest, ContentChecksOfNamedFiles) {
    LoadOptions options;
    std::vector<std::string> asked;
    options.contentCheck = [&](const std::string& key, const std::string& path) -> std::vector<std::string> {
        asked.push_back(key + "=" + path);
        if (key == "trust.denylist")
            return {path + ":7: card serial must be 1 to 20 decimal digits, got '12a4'", "unreadable for a reason"};
        return {};
    };
    const LoadResult r = parse({{"a.toml", "[trust]\ndenylist = \"/etc/deny.txt\"\n"}}, acceptEveryPath, options);
    EXPECT_THAT(asked, ElementsAre("trust.anchors_dir=/usr/share/cpslock/igc-sante", "trust.denylist=/etc/deny.txt"));
    EXPECT_THAT(lines(r),
                ElementsAre("a.toml:2:1: error: 'trust.denylist' = \"/etc/deny.txt\": unreadable for a reason",
                            "/etc/deny.txt:7: error: card serial must be 1 to 20 decimal digits, got '12a4'"));

    // Not consulted for a policy that already has errors, nor for paths that failed the probe.
    asked.clear();
    EXPECT_FALSE(parse({{"a.toml", "[pin]\nlast_try = 1\n"}}, acceptEveryPath, options).ok());
    EXPECT_TRUE(parse({}, nothingExists, options).ok());
    EXPECT_THAT(asked, IsEmpty());
}

TEST(PolicyLoaderTest, RppsCheckDigitMismatchIsOnlyAWarning) {
    const LoadResult r = parseOne("[accounts.holders]\n\"810002813838\" = \"dr.typo\"\n");
    EXPECT_TRUE(r.ok());
    EXPECT_THAT(lines(r, Diagnostic::Severity::Warning),
                ElementsAre("a.toml:2:1: warning: idNat '810002813838': the RPPS check digit does not match (typo?)"));
}

TEST(PolicyLoaderTest, CardTypes) {
    const LoadResult r = parseOne(R"([cards]
allowed_types = ["CPS", "CDE", "cps", "CPS"]
)");
    EXPECT_THAT(lines(r), ElementsAre("a.toml:2:25: error: card type 'CDE' is written 'CPE' here",
                                      "a.toml:2:32: error: invalid value 'cps' for 'cards.allowed_types': expected one "
                                      "of \"CPS\", \"CPF\", \"CPE\", "
                                      "\"CPA\" (did you mean 'CPS'?)"));
    EXPECT_THAT(lines(parseOne("[cards]\nallowed_types = [\"CPS\", \"CPS\"]\n")),
                ElementsAre("a.toml:2:17: error: 'cards.allowed_types' lists CPS twice"));
    EXPECT_THAT(lines(parseOne("[cards]\nallowed_types = []\n")),
                ElementsAre(HasSubstr("is empty: no card could ever open a session")));
}

TEST(PolicyLoaderTest, SharedAccountsAreChecked) {
    const LoadResult r = parseOne(R"([[accounts.shared]]
card_types = ["CPE"]
[[accounts.shared]]
user = "accueil"
card_types = []
)");
    EXPECT_THAT(lines(r), ElementsAre("a.toml:1:1: error: [[accounts.shared]] entry without 'user'",
                                      HasSubstr("a.toml:5:14: error: 'accounts.shared.card_types' is empty")));
    const LoadResult twice = parseOne("[[accounts.shared]]\nuser = \"a\"\ncard_types = "
                                      "[\"CPE\"]\n[[accounts.shared]]\nuser = \"a\"\ncard_types = [\"CPS\"]\n");
    EXPECT_THAT(lines(twice), ElementsAre(HasSubstr("shared account 'a' is listed twice")));
}

TEST(PolicyLoaderTest, SharedAccountForARefusedCardTypeIsAWarning) {
    const LoadResult r = parseOne("[[accounts.shared]]\nuser = \"accueil\"\ncard_types = [\"CPE\"]\n");
    ASSERT_TRUE(r.ok());
    EXPECT_THAT(
        lines(r, Diagnostic::Severity::Warning),
        ElementsAre(HasSubstr("shared account 'accueil' accepts CPE cards, which 'cards.allowed_types' refuses")));
}

TEST(PolicyLoaderTest, PathsMustBeAbsolute) {
    const LoadResult r = parseOne(R"([trust]
anchors_dir = "anchors"
[pkcs11]
modules = ["opensc-pkcs11.so"]
[locker]
command = ["xsecurelock"]
)");
    EXPECT_THAT(
        lines(r),
        ElementsAre(
            "a.toml:2:15: error: 'trust.anchors_dir' must be an absolute path, got 'anchors'",
            "a.toml:4:12: error: 'pkcs11.modules' must be an absolute path, got 'opensc-pkcs11.so'",
            HasSubstr("a.toml:6:11: error: 'locker.command' must start with the absolute path of the program")));
    EXPECT_THAT(lines(parseOne("[pkcs11]\nmodules = []\n")), ElementsAre(HasSubstr("at least one PKCS#11 module")));
}

TEST(PolicyLoaderTest, PathProbeRefusalsNameTheLocation) {
    const PathProbe probe = [](const std::string& path, PathKind kind) -> Result<void> {
        if (path == "/missing" && kind == PathKind::Directory)
            return fail("does not exist");
        if (path == "/bin/notexec" && kind == PathKind::Executable)
            return fail("is not executable");
        return {};
    };
    const LoadResult r =
        parse({{"a.toml", "[trust]\ncrl_dir = \"/missing\"\n[locker]\ncommand = [\"/bin/notexec\"]\n"}}, probe);
    EXPECT_THAT(lines(r), ElementsAre("a.toml:2:1: error: 'trust.crl_dir' = \"/missing\": does not exist",
                                      "a.toml:4:1: error: 'locker.command' = \"/bin/notexec\": is not executable"));
}

TEST(PolicyLoaderTest, MissingDefaultPathsAreWarningsNotErrors) {
    const LoadResult r = parse({}, nothingExists);
    EXPECT_TRUE(r.ok());
    EXPECT_THAT(lines(r, Diagnostic::Severity::Warning),
                ElementsAre(HasSubstr("'trust.anchors_dir' (default \"/usr/share/cpslock/igc-sante\"): does not exist; "
                                      "every card will be refused"),
                            HasSubstr("'trust.crl_dir'"), HasSubstr("'trust.denylist'"),
                            HasSubstr("'pkcs11.modules'")));
}

TEST(PolicyLoaderTest, LostCardContacts) {
    const LoadResult r = parseOne(R"([lost_card]
phone = "call us"
web = "http://esante.gouv.fr"
text = ""
)");
    EXPECT_THAT(lines(r), ElementsAre(HasSubstr("a.toml:2:9: error: 'lost_card.phone' must be a phone number"),
                                      HasSubstr("a.toml:3:7: error: 'lost_card.web' must be an https:// address"),
                                      HasSubstr("a.toml:4:8: error: 'lost_card.text' must not be empty")));
}

TEST(PolicyLoaderTest, ControlCharactersInValuesAreRefused) {
    const LoadResult r = parseOne("[trust]\ndenylist = \"/etc/deny\\u0000list\"\n");
    EXPECT_THAT(lines(r), ElementsAre("a.toml:2:12: error: 'trust.denylist' contains control characters"));
}

TEST(PolicyLoaderTest, OversizedListsAreRefused) {
    std::string modules = "[pkcs11]\nmodules = [";
    for (int i = 0; i < 9; ++i)
        modules += "\"/m" + std::to_string(i) + ".so\", ";
    modules += "]\n";
    EXPECT_THAT(lines(parseOne(modules)), ElementsAre(HasSubstr("'pkcs11.modules' has 9 items, at most 8")));
}

// --- broken files ---------------------------------------------------------------------------

TEST(PolicyLoaderTest, SyntaxErrorNamesLineAndColumn) {
    const LoadResult r = parseOne("[session]\nidle_timeout = \"5m\"\nrequire_card = tru\n");
    ASSERT_EQ(lines(r).size(), 1U);
    EXPECT_THAT(lines(r)[0], HasSubstr("a.toml:3:"));
    EXPECT_THAT(lines(r)[0], HasSubstr("error: syntax error"));
    EXPECT_EQ(r.policy.session.idleTimeout, Duration{600}); // nothing of a broken file is applied
}

TEST(PolicyLoaderTest, HalfWrittenFile) {
    const LoadResult r = parseOne("[session]\nidle_timeout = \"5");
    EXPECT_FALSE(r.ok());
    EXPECT_THAT(lines(r), ElementsAre(HasSubstr("a.toml:2:")));
}

TEST(PolicyLoaderTest, EmptyAndBlankFilesAreErrors) {
    EXPECT_THAT(lines(parseOne("")), ElementsAre(HasSubstr("a.toml: error: empty policy file")));
    EXPECT_THAT(lines(parseOne(" \n\t\r\n")), ElementsAre(HasSubstr("a.toml: error: empty policy file")));
}

TEST(PolicyLoaderTest, BinaryAndGarbageAreErrorsNotCrashes) {
    const std::string withNul("[session]\0\x01\x02", 12);
    EXPECT_THAT(lines(parseOne(withNul)),
                ElementsAre("a.toml: error: binary data (NUL byte at offset 9): not a TOML file"));
    EXPECT_FALSE(parseOne("\xff\xfe\x80garbage = \xc3\x28\n").ok()); // invalid UTF-8
    EXPECT_FALSE(parseOne("<?xml version=\"1.0\"?><policy/>").ok());
    EXPECT_FALSE(parseOne(std::string(5000, '[')).ok());
    EXPECT_FALSE(parseOne("a = " + std::string(3000, '[') + "\n").ok());
}

TEST(PolicyLoaderTest, EveryErrorOfEveryFileIsReported) {
    const LoadResult r = parse({
        {"main.toml", "[session]\nidle_timout = \"5m\"\nremoval_action = \"lok\"\n[pin]\nlast_try = 3\n"},
        {"10.toml", "[cards]\nallowed_types = [\"XYZ\"]\n"},
        {"20.toml", "[broken\n"},
    });
    EXPECT_EQ(r.errorCount(), 5U);
    EXPECT_THAT(lines(r),
                ElementsAre(HasSubstr("main.toml:2:1:"), HasSubstr("main.toml:3:18:"), HasSubstr("main.toml:5:12:"),
                            HasSubstr("10.toml:2:18:"), HasSubstr("20.toml:1:")));
}

// --- location rules -------------------------------------------------------------------------

TEST(PolicyLoaderTest, LocationResolution) {
    const PolicyLocation def = resolvePolicyLocation(std::nullopt, std::nullopt, std::nullopt);
    EXPECT_EQ(def.mainFile, "/etc/cpslock/policy.toml");
    EXPECT_EQ(def.dropInDir, "/etc/cpslock/policy.d");
    EXPECT_FALSE(def.mainFileRequired);

    const PolicyLocation env = resolvePolicyLocation(std::nullopt, std::nullopt, std::string("/srv/p/x.toml"));
    EXPECT_EQ(env.mainFile, "/srv/p/x.toml");
    EXPECT_EQ(env.dropInDir, "/srv/p/policy.d");
    EXPECT_TRUE(env.mainFileRequired);

    const PolicyLocation opt =
        resolvePolicyLocation(std::string("/a/b.toml"), std::string("/c"), std::string("/srv/x"));
    EXPECT_EQ(opt.mainFile, "/a/b.toml");
    EXPECT_EQ(opt.dropInDir, "/c");
    EXPECT_TRUE(opt.mainFileRequired);

    EXPECT_EQ(resolvePolicyLocation(std::string("p.toml"), std::nullopt, std::nullopt).dropInDir, "./policy.d");
    EXPECT_FALSE(resolvePolicyLocation(std::nullopt, std::nullopt, std::string()).mainFileRequired);
}

TEST(PolicyLoaderTest, DiagnosticFormat) {
    EXPECT_EQ((Diagnostic{Diagnostic::Severity::Error, {"f.toml", 3, 7}, "m"}).format(), "f.toml:3:7: error: m");
    EXPECT_EQ((Diagnostic{Diagnostic::Severity::Warning, {"f.toml", 0, 0}, "m"}).format(), "f.toml: warning: m");
    EXPECT_EQ((Diagnostic{Diagnostic::Severity::Error, {"deny.txt", 4, 0}, "m"}).format(), "deny.txt:4: error: m");
    EXPECT_EQ((Diagnostic{Diagnostic::Severity::Note, {}, "m"}).format(), "policy: note: m");
}

// Issue 10, finding 5: an insecure default path was used after a warning (a group-writable default
// anchors folder authenticated a planted CA). Missing default: a warning (the consumer refuses);
// present but insecure: an error, the policy is not used.
TEST(PolicyLoaderTest, AnInsecureDefaultPathIsAnErrorAMissingOneAWarning) {
    const PathProbe insecure = [](const std::string& path, PathKind) -> Result<void> {
        if (path == Policy{}.trust.anchorsDir)
            return fail("insecure: writable by group");
        return {};
    };
    const auto bad = parse({{"a.toml", "# defaults\n"}}, insecure);
    EXPECT_FALSE(bad.ok());
    EXPECT_THAT(lines(bad), ElementsAre(HasSubstr("'trust.anchors_dir' (default")));

    const PathProbe missing = [](const std::string& path, PathKind) -> Result<void> {
        if (path == Policy{}.trust.anchorsDir)
            return fail("does not exist");
        return {};
    };
    EXPECT_TRUE(parse({{"a.toml", "# defaults\n"}}, missing).ok());
}

// The tray's world-writable drop-box is retired (issue 10): a policy that still names it is told so.
TEST(PolicyLoaderTest, TheRetiredLostReportsDropBoxIsRefusedWithItsReason) {
    const LoadResult r = parseOne("[trust]\nlost_reports_dir = \"/var/lib/cpslock/lost\"\n");
    EXPECT_FALSE(r.ok());
    EXPECT_THAT(lines(r), ElementsAre(HasSubstr("retired: lost-card reports are kept by cpslockd")));
}
