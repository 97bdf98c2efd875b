// SPDX-License-Identifier: EUPL-1.2
#include "core/policy/PolicyStore.h"
#include "tests/unit/PolicyTestProbes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>

using namespace cpslock;
using namespace cpslock::policy;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

namespace {

/// Hands the store one parsed text per reload, as if an admin edited the file in between.
class ScriptedLoader {
public:
    explicit ScriptedLoader(std::deque<std::string> texts) : m_texts(std::move(texts)) {}
    LoadResult operator()() {
        const PolicyDocument doc{"policy.toml", m_texts.front()};
        m_texts.pop_front();
        return parsePolicyDocuments(std::span(&doc, 1), cpslock::policy::probes::acceptEveryPath);
    }

private:
    std::deque<std::string> m_texts;
};

PolicyStore storeFor(std::deque<std::string> texts) {
    auto loader = std::make_shared<ScriptedLoader>(std::move(texts));
    return PolicyStore([loader] { return (*loader)(); });
}

} // namespace

TEST(PolicyStoreTest, StartsOnBuiltInDefaults) {
    PolicyStore store = storeFor({});
    EXPECT_TRUE(store.usingDefaults());
    EXPECT_EQ(*store.current(), Policy{});
}

TEST(PolicyStoreTest, InvalidFirstLoadKeepsDefaultsAndSaysSo) {
    PolicyStore store = storeFor({"[session]\nidle_timout = \"5m\"\n"});
    const auto outcome = store.reload();
    EXPECT_EQ(outcome.kind, PolicyStore::ReloadOutcome::Kind::Refused);
    EXPECT_TRUE(outcome.keptDefaults);
    EXPECT_EQ(outcome.summary(), "policy refused (1 error): the built-in defaults stay in force");
    ASSERT_EQ(outcome.diagnostics.size(), 1U);
    EXPECT_THAT(outcome.diagnostics[0].format(), HasSubstr("policy.toml:2:1: error: unknown key 'idle_timout'"));
    EXPECT_TRUE(store.usingDefaults());
    EXPECT_EQ(*store.current(), Policy{});
}

TEST(PolicyStoreTest, ValidChangeAppliedInvalidRefusedLastValidKept) {
    PolicyStore store = storeFor({
        "[session]\nidle_timeout = \"5m\"\n",
        "[session]\nidle_timeout = \"5m\"\nremoval_action = \"logout\"\n",
        "[session]\nidle_timeout = \"1m\"\nremoval_action = \"lokc\"\nidle_warning = \"x\"\n",
        "[session]\nidle_timeout = \"5m\"\nremoval_action = \"logout\"\n",
    });
    auto first = store.reload();
    EXPECT_EQ(first.kind, PolicyStore::ReloadOutcome::Kind::Applied);
    EXPECT_THAT(first.changes, ElementsAre("session.idle_timeout: \"10m\" -> \"5m\""));
    EXPECT_EQ(first.summary(), "policy applied (1 change)");
    EXPECT_FALSE(store.usingDefaults());
    EXPECT_EQ(store.currentProvenance().at("session.idle_timeout"), (SourceLocation{"policy.toml", 2, 1}));

    auto second = store.reload();
    EXPECT_EQ(second.kind, PolicyStore::ReloadOutcome::Kind::Applied);
    EXPECT_THAT(second.changes, ElementsAre("session.removal_action: \"lock\" -> \"logout\""));
    const auto snapshot = store.current();

    auto third = store.reload();
    EXPECT_EQ(third.kind, PolicyStore::ReloadOutcome::Kind::Refused);
    EXPECT_FALSE(third.keptDefaults);
    EXPECT_EQ(third.summary(), "policy refused (2 errors): the last valid policy stays in force");
    EXPECT_EQ(store.current(), snapshot); // the very same object: nothing of the bad file leaked in
    EXPECT_EQ(store.current()->session.idleTimeout, Duration{300});
    EXPECT_EQ(store.current()->session.removalAction, RemovalAction::Logout);

    auto fourth = store.reload();
    EXPECT_EQ(fourth.kind, PolicyStore::ReloadOutcome::Kind::Unchanged);
    EXPECT_THAT(fourth.changes, IsEmpty());
    EXPECT_EQ(fourth.summary(), "policy reloaded, nothing changed");
}

TEST(PolicyStoreTest, FirstValidLoadIsAppliedEvenWhenEqualToDefaults) {
    // The agent must be able to say "policy loaded" rather than "running on defaults".
    PolicyStore store = storeFor({"# site policy: defaults are fine\n"});
    auto outcome = store.reload();
    EXPECT_EQ(outcome.kind, PolicyStore::ReloadOutcome::Kind::Applied);
    EXPECT_THAT(outcome.changes, IsEmpty());
    EXPECT_FALSE(store.usingDefaults());
}

TEST(PolicyStoreTest, SnapshotsOutliveReloads) {
    PolicyStore store = storeFor({"[pin]\nlast_try = \"warn\"\n", "[pin]\nlast_try = \"refuse\"\n"});
    store.reload();
    const auto held = store.current();
    store.reload();
    EXPECT_EQ(held->pin.lastTry, FinalTryPolicy::Warn);
    EXPECT_EQ(store.current()->pin.lastTry, FinalTryPolicy::Refuse);
}
