// SPDX-License-Identifier: EUPL-1.2
// session.exempt_users / exempt_groups: the loader's checks and the rule that decides an exemption.
#include "core/policy/SessionExemption.h"
#include "core/policy/PolicyLoader.h"
#include "tests/unit/PolicyTestProbes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace cpslock::policy;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

namespace {

LoadResult parseOne(const std::string& text) {
    const PolicyDocument doc{"a.toml", text};
    return parsePolicyDocuments(std::span(&doc, 1), cpslock::policy::probes::acceptEveryPath);
}

std::string errors(const LoadResult& r) {
    std::string out;
    for (const Diagnostic& d : r.diagnostics) {
        if (d.severity == Diagnostic::Severity::Error)
            out += d.format() + "\n";
    }
    return out;
}

Policy::Session exempt(std::vector<std::string> users, std::vector<std::string> groups) {
    Policy::Session s;
    s.exemptUsers = std::move(users);
    s.exemptGroups = std::move(groups);
    return s;
}

} // namespace

TEST(SessionExemptionTest, NobodyIsExemptByDefault) {
    const LoadResult r = parseOne("# nothing set\n");
    ASSERT_TRUE(r.ok());
    EXPECT_THAT(r.policy.session.exemptUsers, IsEmpty());
    EXPECT_THAT(r.policy.session.exemptGroups, IsEmpty());
    const std::vector<std::string> groups{"root", "sudo"};
    EXPECT_FALSE(sessionExemption(r.policy.session, "root", groups));
}

TEST(SessionExemptionTest, LoaderReadsBothListsWithTheirLocation) {
    const LoadResult r =
        parseOne("[session]\nexempt_users = [\"it-rescue\", \"admin@clinic\"]\nexempt_groups = [\"it-staff\"]\n");
    ASSERT_TRUE(r.ok()) << errors(r);
    EXPECT_THAT(r.policy.session.exemptUsers, ElementsAre("it-rescue", "admin@clinic"));
    EXPECT_THAT(r.policy.session.exemptGroups, ElementsAre("it-staff"));
    EXPECT_EQ(r.provenance.at("session.exempt_groups").line, 3);
}

TEST(SessionExemptionTest, LoaderRefusesBadNamesNamingTheKeyAndLine) {
    struct Case {
        std::string toml;
        std::string expected;
    };
    const std::vector<Case> cases{
        {"exempt_users = \"root\"", "wrong type for 'session.exempt_users': expected an array"},
        {"exempt_groups = [\"it staff\"]", "a.toml:2:18: error: invalid group name 'it staff'"},
        {"exempt_groups = [\"1000\"]", "invalid group name '1000' for 'session.exempt_groups'"},
        {"exempt_users = [\"-root\"]", "invalid user name '-root' for 'session.exempt_users'"},
        {"exempt_users = [\"\"]", "invalid user name ''"},
        {"exempt_users = [\"bob\\n\"]", "session.exempt_users"},
        {"exempt_groups = [42]", "wrong type for 'session.exempt_groups': expected a group name string"},
        {"exempt_users = [\"it\", \"it\"]", "'session.exempt_users' lists a user name twice"},
        {"exempt_grups = [\"it\"]", "did you mean 'exempt_groups'?"},
    };
    for (const Case& c : cases) {
        const LoadResult r = parseOne("[session]\n" + c.toml + "\n");
        EXPECT_FALSE(r.ok()) << c.toml;
        EXPECT_THAT(errors(r), HasSubstr(c.expected)) << c.toml;
        // A refused list never exempts anyone.
        EXPECT_THAT(r.policy.session.exemptUsers, IsEmpty()) << c.toml;
        EXPECT_THAT(r.policy.session.exemptGroups, IsEmpty()) << c.toml;
    }
}

TEST(SessionExemptionTest, LoaderRefusesAnOverlongList) {
    std::string list;
    for (int i = 0; i < 65; ++i)
        list += (i == 0 ? "\"u" : ", \"u") + std::to_string(i) + "\"";
    const LoadResult r = parseOne("[session]\nexempt_users = [" + list + "]\n");
    EXPECT_FALSE(r.ok());
    EXPECT_THAT(errors(r), HasSubstr("at most 64"));
}

TEST(SessionExemptionTest, RuleTable) {
    struct Case {
        const char* what;
        Policy::Session session;
        std::string user;
        std::vector<std::string> groups;
        std::optional<SessionExemption> expected;
    };
    using By = SessionExemption::By;
    const std::vector<Case> cases{
        {"listed user", exempt({"it-rescue"}, {}), "it-rescue", {"it-rescue"}, SessionExemption{By::User, "it-rescue"}},
        {"member of a listed group",
         exempt({}, {"it-staff"}),
         "alice",
         {"alice", "it-staff"},
         SessionExemption{By::Group, "it-staff"}},
        {"primary group counts", exempt({}, {"alice"}), "alice", {"alice"}, SessionExemption{By::Group, "alice"}},
        {"user listed first wins",
         exempt({"alice"}, {"it-staff"}),
         "alice",
         {"it-staff"},
         SessionExemption{By::User, "alice"}},
        {"first listed group that matches", exempt({}, {"b", "a"}), "u", {"a", "b"}, SessionExemption{By::Group, "b"}},
        {"not listed", exempt({"bob"}, {"it-staff"}), "alice", {"alice", "users"}, std::nullopt},
        // Hostile: a user named like an exempt group is not a member of it.
        {"user named like a group", exempt({}, {"it-staff"}), "it-staff", {"users"}, std::nullopt},
        // Hostile: a group named like an exempt user does not exempt its members.
        {"group named like a user", exempt({"it-rescue"}, {}), "alice", {"it-rescue"}, std::nullopt},
        // A group the system does not know never shows up in anyone's groups.
        {"group that does not exist", exempt({}, {"no-such-group"}), "alice", {"alice"}, std::nullopt},
        {"unknown user (empty name)", exempt({"alice"}, {}), "", {}, std::nullopt},
        {"case matters", exempt({"Alice"}, {"IT"}), "alice", {"it"}, std::nullopt},
        {"prefix is not a match", exempt({"ali"}, {"it"}), "alice", {"it-staff"}, std::nullopt},
    };
    for (const Case& c : cases)
        EXPECT_EQ(sessionExemption(c.session, c.user, c.groups), c.expected) << c.what;
}
