// SPDX-License-Identifier: EUPL-1.2
// cpslockd's decisions about who may ask what, with a fake directory of accounts and logind sessions.
#include "daemon/Authority.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

using cpslock::VerifiedCard;
using cpslock::daemon::Authority;
using cpslock::daemon::Caller;
using cpslock::daemon::Directory;
using cpslock::daemon::LostReports;

namespace {

constexpr uid_t kAlice = 1000;
constexpr uid_t kMallory = 1001;

class FakeDirectory final : public Directory {
public:
    std::map<std::string, uid_t> users{{"alice", kAlice}, {"mallory", kMallory}, {"root", 0}};
    std::map<std::string, uid_t> sessions{{"c1", kAlice}, {"c2", kMallory}};

    std::optional<uid_t> userId(const std::string& user) override {
        const auto it = users.find(user);
        return it == users.end() ? std::nullopt : std::optional<uid_t>(it->second);
    }
    std::optional<uid_t> sessionOwner(const std::string& id) override {
        const auto it = sessions.find(id);
        return it == sessions.end() ? std::nullopt : std::optional<uid_t>(it->second);
    }
};

class AuthorityTest : public ::testing::Test {
protected:
    AuthorityTest()
        : m_reports(std::filesystem::temp_directory_path() / ("cpslock-authority-" + std::to_string(getpid()))),
          m_authority(m_directory, m_reports, [this] { return m_now; }) {
        EXPECT_TRUE(m_reports.load());
    }
    ~AuthorityTest() override {
        std::filesystem::remove(std::filesystem::temp_directory_path() /
                                ("cpslock-authority-" + std::to_string(getpid())));
    }

    const Caller alice{kAlice, 100};
    const Caller mallory{kMallory, 101};
    const Caller root{0, 1};
    const VerifiedCard card{"Virtual PCD 00 00", "0123456789", "ab12", "Jeanne Martin", 0};

    FakeDirectory m_directory;
    LostReports m_reports;
    std::chrono::steady_clock::time_point m_now{std::chrono::hours(1)};
    Authority m_authority;
};

} // namespace

// Issue 10: a non-root caller asking to authenticate another user is refused.
TEST_F(AuthorityTest, OnlyRootMayVerifyACardForSomeoneElse) {
    EXPECT_TRUE(m_authority.mayAuthenticate(alice, "alice"));
    EXPECT_FALSE(m_authority.mayAuthenticate(mallory, "alice"));
    EXPECT_FALSE(m_authority.mayAuthenticate(mallory, "root"));
    EXPECT_FALSE(m_authority.mayAuthenticate(alice, "nosuchuser"));
    EXPECT_TRUE(m_authority.mayAuthenticate(root, "alice"));
}

TEST_F(AuthorityTest, AScreenLockersVerificationIsRecordedForItsOwnSessionOnly) {
    auto recorded = m_authority.recordVerification(alice, "alice", std::string("c1"), card);
    EXPECT_TRUE(recorded.attached);
    auto reply = m_authority.sessionCard(alice, "c1");
    ASSERT_TRUE(reply.ok) << reply.code;
    EXPECT_EQ(reply.get("serial"), "0123456789");
    EXPECT_EQ(reply.get("cert"), "ab12");

    // Alice's card, claimed for Mallory's session: never.
    recorded = m_authority.recordVerification(alice, "alice", std::string("c2"), card);
    EXPECT_FALSE(recorded.attached);
    EXPECT_FALSE(recorded.note.empty());
    EXPECT_EQ(m_authority.sessionCard(mallory, "c2").code, "no-card");
    // A session logind does not know: never.
    EXPECT_FALSE(m_authority.recordVerification(alice, "alice", std::string("c9"), card).attached);
}

TEST_F(AuthorityTest, OnlyTheSessionsOwnerOrRootMayReadOrRetireItsCard) {
    m_authority.recordVerification(alice, "alice", std::string("c1"), card);
    EXPECT_EQ(m_authority.sessionCard(mallory, "c1").code, "forbidden");
    EXPECT_TRUE(m_authority.sessionCard(root, "c1").ok);
    EXPECT_EQ(m_authority.sessionLocked(mallory, "c1", 99).code, "forbidden");
    EXPECT_TRUE(m_authority.sessionCard(alice, "c1").ok) << "Mallory could not retire it";
    EXPECT_EQ(m_authority.sessionCard(alice, "c404").code, "unknown-session");
}

TEST_F(AuthorityTest, ALockRetiresOnlyTheVerificationsTheAgentKnew) {
    m_authority.recordVerification(alice, "alice", std::string("c1"), card);
    const auto first = m_authority.sessionCard(alice, "c1");
    const std::string generation = first.get("generation");
    m_authority.recordVerification(alice, "alice", std::string("c1"), card); // a newer unlock
    EXPECT_TRUE(m_authority.sessionLocked(alice, "c1", std::stoull(generation)).ok);
    EXPECT_TRUE(m_authority.sessionCard(alice, "c1").ok) << "the newer verification stays";
    const auto second = m_authority.sessionCard(alice, "c1");
    EXPECT_TRUE(m_authority.sessionLocked(alice, "c1", std::stoull(second.get("generation"))).ok);
    EXPECT_EQ(m_authority.sessionCard(alice, "c1").code, "no-card") << "a password unlock must not inherit it";
}

TEST_F(AuthorityTest, ALoginTicketAttachesOnceToTheUsersNewSessionBeforeItExpires) {
    const auto recorded = m_authority.recordVerification(root, "alice", std::nullopt, card);
    ASSERT_EQ(recorded.ticket.size(), 32U);
    EXPECT_EQ(m_authority.attach(root, recorded.ticket, "c2").code, "forbidden") << "Mallory's session";
    EXPECT_EQ(m_authority.attach(mallory, recorded.ticket, "c1").code, "forbidden") << "not Mallory's session";
    EXPECT_TRUE(m_authority.attach(root, recorded.ticket, "c1").ok);
    EXPECT_EQ(m_authority.attach(root, recorded.ticket, "c1").code, "bad-request") << "single use";
    EXPECT_TRUE(m_authority.sessionCard(alice, "c1").ok);

    const auto late = m_authority.recordVerification(root, "alice", std::nullopt, card);
    m_now += Authority::kTicketLifetime + std::chrono::seconds(1);
    EXPECT_EQ(m_authority.attach(root, late.ticket, "c1").code, "bad-request") << "expired";
}

TEST_F(AuthorityTest, AReportedCardNoLongerOpensAnythingAndItsSessionLosesIt) {
    m_authority.recordVerification(alice, "alice", std::string("c1"), card);
    EXPECT_TRUE(m_authority.checkLostReports("0123456789"));
    const auto reply = m_authority.reportLost(alice, std::string("c1"), std::nullopt, 1700000000);
    ASSERT_TRUE(reply.ok) << reply.code << " " << reply.get("detail");
    EXPECT_EQ(reply.get("serial"), "0123456789");
    EXPECT_FALSE(m_authority.checkLostReports("0123456789"));
    EXPECT_EQ(m_authority.sessionCard(alice, "c1").code, "no-card");
    // A later verification of the same card (a worker's ok) is refused by the relay's check.
    EXPECT_FALSE(m_authority.checkLostReports("123456789"));
}

TEST_F(AuthorityTest, ReportLostNeedsACardToReport) {
    EXPECT_EQ(m_authority.reportLost(alice, std::string("c1"), std::nullopt, 1).code, "no-card");
    EXPECT_EQ(m_authority.reportLost(alice, std::nullopt, std::nullopt, 1).code, "bad-request");
    EXPECT_EQ(m_authority.reportLost(mallory, std::string("c1"), std::nullopt, 1).code, "forbidden");
    EXPECT_TRUE(m_authority.reportLost(mallory, std::nullopt, std::string("0555555555"), 1).ok);
}

TEST_F(AuthorityTest, ANewSessionClaimsItsOwnersLoginTicketOnce) {
    // gdm verified Alice's card before pam_systemd created her session; nothing attached it.
    m_authority.recordVerification(root, "alice", std::nullopt, card);
    EXPECT_EQ(m_authority.sessionCard(mallory, "c2").code, "no-card") << "Mallory's session never gets it";
    const auto reply = m_authority.sessionCard(alice, "c1");
    ASSERT_TRUE(reply.ok) << reply.code;
    EXPECT_EQ(reply.get("serial"), "0123456789");
    EXPECT_TRUE(m_authority.sessionLocked(alice, "c1", std::stoull(reply.get("generation"))).ok);
    EXPECT_EQ(m_authority.sessionCard(alice, "c1").code, "no-card") << "the ticket was used up";

    m_authority.recordVerification(root, "alice", std::nullopt, card);
    m_now += Authority::kTicketLifetime + std::chrono::seconds(1);
    EXPECT_EQ(m_authority.sessionCard(alice, "c1").code, "no-card") << "an old login does not count";
}
