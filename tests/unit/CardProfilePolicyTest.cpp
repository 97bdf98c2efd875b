// SPDX-License-Identifier: EUPL-1.2
// The policy keys of the IGC-Santé card profile (issue 11): pinned issuers per card type, roots,
// test PKI declaration, required certificate policy OIDs. Defaults are the production pins.
#include "core/policy/PolicyLoader.h"
#include "tests/unit/PolicyTestProbes.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace cpslock::policy;

namespace {

LoadResult parseOne(const std::string& text) {
    const std::vector<PolicyDocument> docs{{"a.toml", text}};
    return parsePolicyDocuments(docs, cpslock::policy::probes::acceptEveryPath);
}

std::string errors(const LoadResult& r) {
    std::string out;
    for (const auto& d : r.diagnostics)
        if (d.severity == Diagnostic::Severity::Error)
            out += d.format() + "\n";
    return out;
}

} // namespace

TEST(CardProfilePolicyTest, DefaultsPinTheProductionCardIssuingCas) {
    const Policy p;
    EXPECT_EQ(p.trust.issuersCps, std::vector<std::string>{"800F918821797D5555C65D6DD5938D6ADE5C2AA6"});
    EXPECT_EQ(p.trust.issuersCpe, std::vector<std::string>{"19F276D58D7A17CA829BE97B5AEF3F05A690D4F3"});
    EXPECT_TRUE(p.trust.issuersCpf.empty());
    EXPECT_TRUE(p.trust.issuersCpa.empty());
    EXPECT_EQ(p.trust.roots, (std::vector<std::string>{"38430511002EE752C3E8974674F8A4FB9CDCE5EE",
                                                       "C0AC89F12470D52BE2D5D4B48405C0810572539B"}));
    EXPECT_FALSE(p.trust.testPki);
    EXPECT_TRUE(p.cards.requiredPolicyOids.empty());
    const LoadResult empty = parseOne("# nothing about cards\n");
    EXPECT_EQ(empty.errorCount(), 0U) << errors(empty);
    EXPECT_EQ(empty.policy.trust, p.trust);
}

TEST(CardProfilePolicyTest, KeysAreReadAndKeyIdsNormalised) {
    const LoadResult r = parseOne("[trust]\n"
                                  "test_pki = true\n"
                                  "issuers_cps = [\"3a:f1:e7:f5:ce:eb:ed:f7:8d:c9:c9:b2:9f:ed:d4:65:29:dc:1f:fd\"]\n"
                                  "issuers_cpf = [\"3AF1E7F5CEEBEDF78DC9C9B29FEDD46529DC1FFD\"]\n"
                                  "issuers_cpe = [\"F8:A1:85:89:03:DA:52:FF:D3:36:BE:03:D8:A8:D9:61:09:36:3D:92\"]\n"
                                  "issuers_cpa = []\n"
                                  "roots = [\"0102\"]\n"
                                  "[cards]\n"
                                  "required_policy_oids = [\"1.2.250.1.213.1.7.1.1.1.1.1\"]\n");
    ASSERT_EQ(r.errorCount(), 0U) << errors(r);
    EXPECT_TRUE(r.policy.trust.testPki);
    EXPECT_EQ(r.policy.trust.issuersCps, std::vector<std::string>{"3AF1E7F5CEEBEDF78DC9C9B29FEDD46529DC1FFD"});
    EXPECT_EQ(r.policy.trust.issuersCpf, r.policy.trust.issuersCps);
    EXPECT_EQ(r.policy.trust.issuersCpe, std::vector<std::string>{"F8A1858903DA52FFD336BE03D8A8D96109363D92"});
    EXPECT_TRUE(r.policy.trust.issuersCpa.empty());
    EXPECT_EQ(r.policy.trust.roots, std::vector<std::string>{"0102"});
    EXPECT_EQ(r.policy.cards.requiredPolicyOids, std::vector<std::string>{"1.2.250.1.213.1.7.1.1.1.1.1"});
}

TEST(CardProfilePolicyTest, BadValuesAreErrorsNamingTheKey) {
    for (const char* text :
         {"[trust]\nissuers_cps = [\"not hex\"]\n", "[trust]\nissuers_cps = [\"ABC\"]\n",
          "[trust]\nissuers_cps = [\"\"]\n", "[trust]\nissuers_cps = \"800F\"\n", "[trust]\nroots = [42]\n",
          "[trust]\ntest_pki = \"yes\"\n", "[cards]\nrequired_policy_oids = [\"1.2.x\"]\n",
          "[cards]\nrequired_policy_oids = [\"anyPolicy\"]\n"}) {
        const LoadResult r = parseOne(text);
        EXPECT_GT(r.errorCount(), 0U) << text;
        const std::string key = std::string(text).find("cards") != std::string::npos      ? "required_policy_oids"
                                : std::string(text).find("roots") != std::string::npos    ? "roots"
                                : std::string(text).find("test_pki") != std::string::npos ? "test_pki"
                                                                                          : "issuers_cps";
        EXPECT_NE(errors(r).find(key), std::string::npos) << text << errors(r);
        // A bad value never weakens anything: the secure default stays.
        EXPECT_EQ(r.policy.trust.issuersCps, Policy{}.trust.issuersCps) << text;
        EXPECT_FALSE(r.policy.trust.testPki) << text;
    }
}
