// SPDX-License-Identifier: EUPL-1.2
#include "core/policy/PolicyDescription.h"
#include "tests/unit/PolicyTestProbes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace cpslock::policy;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

LoadResult parseOne(const std::string& text) {
    const PolicyDocument doc{"/etc/cpslock/policy.toml", text};
    return parsePolicyDocuments(std::span(&doc, 1), cpslock::policy::probes::acceptEveryPath);
}

const EffectiveEntry* find(const std::vector<EffectiveEntry>& entries, const std::string& key) {
    for (const EffectiveEntry& e : entries) {
        if (e.key == key)
            return &e;
    }
    return nullptr;
}

} // namespace

TEST(PolicyDescriptionTest, EveryKnownKeyIsDescribed) {
    const auto entries = describePolicy(Policy{}, {});
    for (const std::string& key : knownPolicyKeys()) {
        if (key.rfind("accounts.shared.", 0) == 0)
            continue; // items of accounts.shared, described inside it
        EXPECT_NE(find(entries, key), nullptr) << key;
    }
}

TEST(PolicyDescriptionTest, ValuesAndSources) {
    const LoadResult r = parseOne(R"([session]
idle_timeout = "90s"
[accounts.holders]
"810002813839" = "dr.martin"
[[accounts.shared]]
user = "accueil"
card_types = ["CPE"]
professions = ["Secrétaire \"médicale\""]
)");
    ASSERT_TRUE(r.ok());
    const auto entries = describePolicy(r.policy, r.provenance);
    EXPECT_EQ(*find(entries, "session.idle_timeout"),
              (EffectiveEntry{"session.idle_timeout", "\"90s\"", "\"90s\"",
                              SourceLocation{"/etc/cpslock/policy.toml", 2, 1}}));
    EXPECT_EQ(find(entries, "session.removal_action")->source, std::nullopt);
    EXPECT_EQ(find(entries, "accounts.holders.810002813839")->tomlValue, "\"dr.martin\"");
    EXPECT_EQ(find(entries, "accounts.holders"), nullptr); // replaced by the per-holder entries
    EXPECT_EQ(find(entries, "accounts.shared")->tomlValue,
              "[{ user = \"accueil\", card_types = [\"CPE\"], professions = [\"Secrétaire \\\"médicale\\\"\"] }]");
    EXPECT_EQ(
        find(entries, "accounts.shared")->jsonValue,
        "[{\"user\": \"accueil\", \"card_types\": [\"CPE\"], \"professions\": [\"Secrétaire \\\"médicale\\\"\"]}]");
}

TEST(PolicyDescriptionTest, TextNamesTheFileOfEachValue) {
    const std::string text = renderPolicyText(parseOne("[session]\nidle_timeout = \"90s\"\n"));
    EXPECT_THAT(text, HasSubstr("#   /etc/cpslock/policy.toml\n"));
    EXPECT_THAT(text, testing::ContainsRegex("session.idle_timeout = \"90s\" +# /etc/cpslock/policy.toml:2:1\n"));
    EXPECT_THAT(text, testing::ContainsRegex("session.removal_action = \"lock\" +# default\n"));
}

TEST(PolicyDescriptionTest, JsonForValidAndInvalid) {
    const std::string good = renderPolicyJson(parseOne("[session]\nidle_timeout = \"90s\"\n"));
    EXPECT_THAT(good, HasSubstr("\"valid\": true"));
    EXPECT_THAT(good, HasSubstr("\"session.idle_timeout\": \"90s\""));
    EXPECT_THAT(good, HasSubstr("\"session.idle_timeout\": \"/etc/cpslock/policy.toml:2:1\""));
    EXPECT_THAT(good, HasSubstr("\"session.require_card\": true"));
    EXPECT_THAT(good, HasSubstr("\"errors\": []"));

    const std::string bad = renderPolicyJson(parseOne("[session]\nidle_timout = \"\\u0001\"\n"));
    EXPECT_THAT(bad, HasSubstr("\"valid\": false"));
    EXPECT_THAT(bad, HasSubstr("\"policy\": null"));
    EXPECT_THAT(bad, HasSubstr("{\"file\": \"/etc/cpslock/policy.toml\", \"line\": 2, \"column\": 1, \"message\": "
                               "\"unknown key 'idle_timout' in [session] (did you mean 'idle_timeout'?)\""));
}

TEST(PolicyDescriptionTest, ChangesListOnlyWhatDiffers) {
    Policy a;
    Policy b;
    EXPECT_THAT(describeChanges(a, b), ElementsAre());
    b.session.idleTimeout = Duration{60};
    b.accounts.holders["810002813839"] = {"dr.martin"};
    EXPECT_THAT(describeChanges(a, b), ElementsAre("session.idle_timeout: \"10m\" -> \"1m\"",
                                                   "accounts.holders.810002813839: (unset) -> \"dr.martin\"",
                                                   "accounts.holders: {} -> (unset)"));
}
