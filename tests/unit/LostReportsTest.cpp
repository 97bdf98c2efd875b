// SPDX-License-Identifier: EUPL-1.2
// Lost-card reports live in cpslockd's own state: a report only adds a refusal, a flood stops at the
// reporter's quota, an unreadable store refuses every card.
#include "daemon/LostReports.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <sys/stat.h>
#include <unistd.h>

using cpslock::daemon::LostReports;

namespace {

class LostReportsTest : public ::testing::Test {
protected:
    void SetUp() override {
        char dir[] = "/tmp/cpslock-reports-XXXXXX";
        ASSERT_NE(mkdtemp(dir), nullptr);
        m_dir = dir;
        m_file = m_dir + "/lost-reports";
    }
    void TearDown() override { std::filesystem::remove_all(m_dir); }
    std::string m_dir;
    std::string m_file;
};

} // namespace

TEST_F(LostReportsTest, AReportSurvivesARestartAndLeadingZerosDoNotMatter) {
    LostReports reports(m_file);
    ASSERT_TRUE(reports.load());
    EXPECT_TRUE(reports.usable());
    EXPECT_FALSE(reports.isReported("0123456789"));
    EXPECT_EQ(reports.add("0123456789", 1000, 1700000000), LostReports::AddStatus::Added);
    EXPECT_EQ(reports.add("123456789", 1001, 1700000001), LostReports::AddStatus::AlreadyReported);

    LostReports again(m_file);
    ASSERT_TRUE(again.load());
    EXPECT_TRUE(again.isReported("123456789"));
    EXPECT_TRUE(again.isReported("00123456789"));
    EXPECT_FALSE(again.isReported("1123456789"));
}

// Issue 10, finding 3: 20,000 reports from another account pushed a real report out. Now a flood
// stops at the flooder's quota and never evicts anything.
TEST_F(LostReportsTest, AFloodStopsAtTheQuotaAndNeverEvictsAnEarlierReport) {
    LostReports reports(m_file);
    ASSERT_TRUE(reports.load());
    ASSERT_EQ(reports.add("1000000001", 1000, 1), LostReports::AddStatus::Added);
    std::size_t refused = 0;
    for (int i = 0; i < 20000; ++i) {
        if (reports.add(std::to_string(2000000000 + i), 1001, 2) == LostReports::AddStatus::QuotaExceeded)
            ++refused;
    }
    EXPECT_EQ(reports.size(), 1 + LostReports::kPerUserQuota);
    EXPECT_EQ(refused, 20000 - LostReports::kPerUserQuota);
    EXPECT_TRUE(reports.isReported("1000000001"));
    // Another account still may report its own card.
    EXPECT_EQ(reports.add("3000000001", 1002, 3), LostReports::AddStatus::Added);
}

TEST_F(LostReportsTest, AnUnreadableOrCorruptStoreIsNotUsable) {
    std::ofstream(m_file) << "0123456789 1000 1700000000\nnot a report\n";
    LostReports corrupt(m_file);
    const auto loaded = corrupt.load();
    ASSERT_FALSE(loaded);
    EXPECT_NE(loaded.error().message.find(":2:"), std::string::npos) << loaded.error().message;
    EXPECT_FALSE(corrupt.usable());

    std::filesystem::remove(m_file);
    ASSERT_EQ(mkfifo(m_file.c_str(), 0600), 0); // a FIFO must not hang the daemon
    LostReports fifo(m_file);
    EXPECT_FALSE(fifo.load());
    EXPECT_FALSE(fifo.usable());

    std::filesystem::remove(m_file);
    std::filesystem::create_symlink("/etc/passwd", m_file);
    LostReports link(m_file);
    EXPECT_FALSE(link.load());
    EXPECT_FALSE(link.usable());
}
