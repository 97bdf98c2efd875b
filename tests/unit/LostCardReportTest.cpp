#include "platform/linux/LostCardReport.h"

#include "card/Denylist.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;
using cpslock::platform::LostCardEntry;
using cpslock::platform::writeLostCardReport;

namespace {

constexpr const char* kSha =
    "3D:94:F3:1C:25:89:EA:12:82:86:EC:22:96:BA:7A:B7:7E:5E:D1:9E:A3:98:A4:70:8D:E0:75:0B:F7:D0:BF:94";
constexpr const char* kShaLower = "3d94f31c2589ea128286ec2296ba7ab77e5ed19ea398a4708de0750bf7d0bf94";

std::string readFile(const fs::path& p) {
    std::ifstream in(p);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

class LostCardReportTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/cpslock-lost-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        m_dir = tmpl;
        m_entry.serial = "992138450";
        m_entry.certSha256 = kSha;
        m_entry.user = "dr.martin";
        m_entry.when = std::chrono::sys_days{std::chrono::year{2026} / 11 / 28} + std::chrono::hours{13};
    }
    void TearDown() override { fs::remove_all(m_dir); }

    fs::path m_dir;
    LostCardEntry m_entry;
};

} // namespace

TEST_F(LostCardReportTest, WritesADenylistFileTheDenylistParserAccepts) {
    const mode_t old = ::umask(077); // the report must stay readable by root's reader whatever the umask
    const auto r = writeLostCardReport(m_dir, m_entry);
    ::umask(old);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_FALSE(r.alreadyReported);
    EXPECT_EQ(fs::path(r.path).filename(), "992138450-3d94f31c2589ea12.deny");

    struct stat st {};
    ASSERT_EQ(::lstat(r.path.c_str(), &st), 0);
    EXPECT_TRUE(S_ISREG(st.st_mode));
    EXPECT_EQ(st.st_mode & 07777, 0644u);

    const std::string text = readFile(r.path);
    EXPECT_NE(text.find("# user: dr.martin\n"), std::string::npos);
    EXPECT_NE(text.find("# date: 2026-11-28T13:00:00Z\n"), std::string::npos);
    EXPECT_NE(text.find("reported lost from the tray"), std::string::npos);

    const auto parsed = cpslock::card::Denylist::parse(text, r.path);
    ASSERT_TRUE(parsed.ok()) << parsed.errors.front();
    ASSERT_EQ(parsed.list.size(), 2u);
    const auto* bySerial = parsed.list.findCardSerial("0992138450");
    ASSERT_NE(bySerial, nullptr);
    EXPECT_EQ(bySerial->date, "2026-11-28");
    EXPECT_NE(parsed.list.findCertificateSha256(kShaLower), nullptr);
}

TEST_F(LostCardReportTest, WithoutFingerprintOnlyTheSerialIsBlocked) {
    m_entry.certSha256.clear();
    const auto r = writeLostCardReport(m_dir, m_entry);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(fs::path(r.path).filename(), "992138450-nocert.deny");
    const auto parsed = cpslock::card::Denylist::parse(readFile(r.path), r.path);
    ASSERT_TRUE(parsed.ok());
    ASSERT_EQ(parsed.list.size(), 1u);
    EXPECT_EQ(parsed.list.entries()[0].kind, cpslock::card::DenylistEntry::Kind::CardSerial);
}

TEST_F(LostCardReportTest, InvalidEntriesAreRefusedAndNothingIsWritten) {
    for (const std::string serial : {"", "12a4", "123456789012345678901", "99\n"}) {
        LostCardEntry e = m_entry;
        e.serial = serial;
        const auto r = writeLostCardReport(m_dir, e);
        EXPECT_FALSE(r.ok) << serial;
        EXPECT_NE(r.error.find("card serial"), std::string::npos) << r.error;
    }
    LostCardEntry e = m_entry;
    e.certSha256 = "3d94";
    const auto r = writeLostCardReport(m_dir, e);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("sha256"), std::string::npos) << r.error;
    EXPECT_TRUE(fs::is_empty(m_dir));
}

TEST_F(LostCardReportTest, UserNameCannotInjectLines) {
    m_entry.user = "eve\nsha256:0000";
    const auto r = writeLostCardReport(m_dir, m_entry);
    ASSERT_TRUE(r.ok) << r.error;
    const auto parsed = cpslock::card::Denylist::parse(readFile(r.path), r.path);
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed.list.size(), 2u);
    EXPECT_EQ(readFile(r.path).find("eve\n"), std::string::npos);
}

TEST_F(LostCardReportTest, ASecondReportOfTheSameCardIsAlreadyReported) {
    const auto first = writeLostCardReport(m_dir, m_entry);
    ASSERT_TRUE(first.ok);
    const std::string before = readFile(first.path);
    m_entry.when += std::chrono::hours{1};
    const auto second = writeLostCardReport(m_dir, m_entry);
    ASSERT_TRUE(second.ok) << second.error;
    EXPECT_TRUE(second.alreadyReported);
    EXPECT_EQ(second.path, first.path);
    EXPECT_EQ(readFile(first.path), before);
}

TEST_F(LostCardReportTest, AnotherUsersFileOrALinkUnderTheNameIsNeitherTrustedNorFollowed) {
    if (::geteuid() != 0)
        GTEST_SKIP() << "needs root to create a file owned by another user";
    const fs::path name = m_dir / "992138450-3d94f31c2589ea12.deny";
    { std::ofstream(name) << "# planted\n"; }
    ASSERT_EQ(::chown(name.c_str(), 65534, 65534), 0);
    const fs::path target = m_dir / "target";
    { std::ofstream(target) << "untouched\n"; }
    fs::create_symlink(target, m_dir / "992138450-3d94f31c2589ea12-2.deny");

    const auto r = writeLostCardReport(m_dir, m_entry);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_FALSE(r.alreadyReported);
    EXPECT_EQ(fs::path(r.path).filename(), "992138450-3d94f31c2589ea12-3.deny");
    EXPECT_EQ(readFile(target), "untouched\n");
    EXPECT_EQ(readFile(name), "# planted\n");
}

TEST_F(LostCardReportTest, MissingFolderIsAnErrorNamingIt) {
    const auto r = writeLostCardReport((m_dir / "absent").string(), m_entry);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find((m_dir / "absent").string()), std::string::npos) << r.error;
}

TEST_F(LostCardReportTest, AFileOrALinkInPlaceOfTheFolderIsAnError) {
    const fs::path file = m_dir / "file";
    { std::ofstream(file) << "x"; }
    const auto r = writeLostCardReport(file.string(), m_entry);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find(file.string()), std::string::npos) << r.error;
}
