// SPDX-License-Identifier: EUPL-1.2
#include "card/Denylist.h"

#include "TestPki.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <sys/stat.h>

using cpslock::card::Denylist;
using cpslock::card::DenylistEntry;

namespace {
const std::string kSha = "3d94f31c2589ea128286ec2296ba7ab77e5ed19ea398a4708de0750bf7d0bf94";
}

TEST(DenylistTest, ParsesEntriesCommentsAndBlankLines) {
    const auto r = Denylist::parse("# ANS opposition list\n"
                                   "\n"
                                   "serial:992138450 2026-01-12 carte perdue\n"
                                   "  serial:0001234   \r\n"
                                   "sha256:" +
                                       kSha +
                                       "\n"
                                       "serial:42 2026-02-01\n",
                                   "deny.txt");
    ASSERT_TRUE(r.ok()) << r.errors.front();
    ASSERT_EQ(r.list.size(), 4U);
    const auto& e = r.list.entries()[0];
    EXPECT_EQ(e.kind, DenylistEntry::Kind::CardSerial);
    EXPECT_EQ(e.value, "992138450");
    EXPECT_EQ(e.date, "2026-01-12");
    EXPECT_EQ(e.reason, "carte perdue");
    EXPECT_EQ(e.source, "deny.txt:3");
    EXPECT_EQ(r.list.entries()[1].value, "1234");
    EXPECT_EQ(r.list.entries()[2].kind, DenylistEntry::Kind::CertificateSha256);
    EXPECT_EQ(r.list.entries()[3].date, "2026-02-01");
    EXPECT_TRUE(r.list.entries()[3].reason.empty());
}

TEST(DenylistTest, FindsSerialsWhateverTheZeroPadding) {
    const auto r = Denylist::parse("serial:0992138450\n", "d");
    ASSERT_TRUE(r.ok());
    ASSERT_NE(r.list.findCardSerial("992138450"), nullptr);
    EXPECT_NE(r.list.findCardSerial("00992138450"), nullptr);
    EXPECT_EQ(r.list.findCardSerial("992138451"), nullptr);
    EXPECT_EQ(r.list.findCardSerial(""), nullptr);
    EXPECT_EQ(r.list.findCardSerial("99213845x"), nullptr);
}

TEST(DenylistTest, FindsFingerprintsInAnyCaseWithOrWithoutColons) {
    std::string upperWithColons;
    for (std::size_t i = 0; i < kSha.size(); i += 2) {
        upperWithColons += (i ? ":" : "") + kSha.substr(i, 2);
    }
    for (char& c : upperWithColons) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    const auto r = Denylist::parse("sha256:" + upperWithColons + "\n", "d");
    ASSERT_TRUE(r.ok()) << r.errors.front();
    EXPECT_NE(r.list.findCertificateSha256(kSha), nullptr);
    EXPECT_NE(r.list.findCertificateSha256(upperWithColons), nullptr);
    EXPECT_EQ(r.list.findCertificateSha256(kSha.substr(0, 62) + "00"), nullptr);
    // A serial entry never matches a fingerprint lookup and vice versa.
    EXPECT_EQ(r.list.findCardSerial("3"), nullptr);
}

TEST(DenylistTest, ErrorsNameFileAndLine) {
    const auto r = Denylist::parse("# header\n"
                                   "serial:12a4\n"
                                   "sha256:abcd\n"
                                   "card:123\n"
                                   "992138450\n"
                                   "serial:1 2026-13-01 bad month\n"
                                   "serial:\n"
                                   "serial:123456789012345678901\n"
                                   "serial:7 ok\n",
                                   "/etc/cpslock/denylist.txt");
    ASSERT_EQ(r.errors.size(), 7U);
    EXPECT_EQ(r.errors[0].rfind("/etc/cpslock/denylist.txt:2: ", 0), 0U) << r.errors[0];
    EXPECT_EQ(r.errors[1].rfind("/etc/cpslock/denylist.txt:3: ", 0), 0U) << r.errors[1];
    EXPECT_NE(r.errors[2].find(":4: unknown entry kind 'card'"), std::string::npos) << r.errors[2];
    EXPECT_NE(r.errors[3].find(":5: "), std::string::npos) << r.errors[3];
    EXPECT_NE(r.errors[4].find(":6: invalid date '2026-13-01'"), std::string::npos) << r.errors[4];
    EXPECT_NE(r.errors[5].find(":7: "), std::string::npos);
    EXPECT_NE(r.errors[6].find(":8: "), std::string::npos);
    // The good line is still parsed (for `cpslock check-policy`); callers refuse to use a list with errors.
    ASSERT_EQ(r.list.size(), 1U);
    EXPECT_EQ(r.list.entries()[0].reason, "ok");
}

TEST(DenylistTest, EmptyTextIsAnEmptyList) {
    const auto r = Denylist::parse("", "d");
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE(r.list.empty());
}

TEST(DenylistTest, MissingFileIsAnErrorNamingIt) {
    const auto r = Denylist::load("/nonexistent/cpslock/denylist.txt");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.errors.front().find("/nonexistent/cpslock/denylist.txt"), std::string::npos);
}

TEST(DenylistTest, LoadsTheGeneratedDenylist) {
    const auto& pki = cpslock::testpki::pki();
    const auto r = Denylist::load(pki.dir / "denylist.txt");
    ASSERT_TRUE(r.ok()) << r.errors.front();
    const auto& denied = cpslock::testpki::card("denylisted");
    EXPECT_NE(r.list.findCardSerial(denied.cardSerial), nullptr);
    EXPECT_NE(r.list.findCertificateSha256(denied.sha256), nullptr);
    EXPECT_EQ(r.list.findCardSerial(cpslock::testpki::card("valid-cps").cardSerial), nullptr);
    EXPECT_EQ(r.list.findCertificateSha256(cpslock::testpki::card("valid-cps").sha256), nullptr);
}

// Issue 10, finding 4: a symlinked or over-long deny-list was checked by one reader and read as
// empty by another. Now the one reader refuses both, and every other kind of file, out loud.
TEST(DenylistTest, SymlinkFifoAndOversizedListsAreErrorsNeverEmptyLists) {
    char dir[] = "/tmp/cpslock-deny-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    const std::filesystem::path base(dir);
    { std::ofstream(base / "real.txt") << "serial:1234567890\n"; }
    std::filesystem::create_symlink(base / "real.txt", base / "link.txt");
    const auto link = Denylist::load(base / "link.txt");
    ASSERT_FALSE(link.ok());
    EXPECT_NE(link.errors.front().find("symbolic link"), std::string::npos) << link.errors.front();

    ASSERT_EQ(mkfifo((base / "fifo.txt").c_str(), 0600), 0);
    const auto fifo = Denylist::load(base / "fifo.txt"); // must not block
    ASSERT_FALSE(fifo.ok());

    {
        std::ofstream big(base / "big.txt");
        const std::string line = "serial:1234567890\n";
        for (std::uintmax_t written = 0; written <= Denylist::kMaxFileSize; written += line.size())
            big << line;
    }
    const auto big = Denylist::load(base / "big.txt");
    ASSERT_FALSE(big.ok());
    EXPECT_NE(big.errors.front().find("larger than"), std::string::npos) << big.errors.front();

    const auto real = Denylist::load(base / "real.txt");
    ASSERT_TRUE(real.ok());
    EXPECT_TRUE(real.list.findCardSerial("1234567890"));
    std::filesystem::remove_all(base);
}
