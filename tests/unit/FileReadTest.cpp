// SPDX-License-Identifier: EUPL-1.2
#include "core/FileRead.h"
#include "core/FileWrite.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <sys/stat.h>
#include <unistd.h>

using cpslock::FileReadError;
using cpslock::readRegularFile;
using cpslock::writeFileAtomically;

namespace {

class FileReadTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (std::filesystem::temp_directory_path() / "cpslock-fileread-XXXXXX").string();
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        m_dir = pattern;
    }
    void TearDown() override { std::filesystem::remove_all(m_dir); }
    std::string path(const char* name) const { return (m_dir / name).string(); }

    std::filesystem::path m_dir;
};

TEST_F(FileReadTest, WrittenFileReadsBackWithItsMode) {
    const auto written = writeFileAtomically(path("list"), "serial:1\n", 0640);
    ASSERT_TRUE(written) << written.error().message;
    const auto read = readRegularFile(path("list"), 64);
    ASSERT_TRUE(read) << read.error().message;
    EXPECT_EQ(*read, "serial:1\n");
    struct stat st {};
    ASSERT_EQ(stat(path("list").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0640U);
}

TEST_F(FileReadTest, MissingFileIsToldApartFromARefusedOne) {
    const auto missing = readRegularFile(path("absent"), 64);
    ASSERT_FALSE(missing);
    EXPECT_TRUE(missing.error().missing());
    EXPECT_EQ(missing.error().message, "cannot read: No such file or directory");

    ASSERT_TRUE(writeFileAtomically(path("target"), "x", 0644));
    ASSERT_EQ(symlink(path("target").c_str(), path("link").c_str()), 0);
    const auto link = readRegularFile(path("link"), 64);
    ASSERT_FALSE(link);
    EXPECT_EQ(link.error().kind, FileReadError::Kind::Unreadable);
    EXPECT_EQ(link.error().message, "is a symbolic link (refused)");
}

TEST_F(FileReadTest, OversizedFileAndFifoAreRefusedWithoutBlocking) {
    ASSERT_TRUE(writeFileAtomically(path("big"), std::string(65, 'a'), 0644));
    const auto big = readRegularFile(path("big"), 64);
    ASSERT_FALSE(big);
    EXPECT_FALSE(big.error().missing());
    EXPECT_EQ(big.error().message, "larger than 64 bytes (refused)");

    ASSERT_EQ(mkfifo(path("fifo").c_str(), 0600), 0);
    const auto fifo = readRegularFile(path("fifo"), 64);
    ASSERT_FALSE(fifo);
    EXPECT_EQ(fifo.error().message, "is not a regular file");
}

TEST_F(FileReadTest, FailedWriteNamesTheFileAndLeavesNothing) {
    const auto written = writeFileAtomically(path("no-such-folder/list"), "x", 0644);
    ASSERT_FALSE(written);
    EXPECT_NE(written.error().message.find("no-such-folder/.list."), std::string::npos) << written.error().message;
    EXPECT_NE(written.error().message.find("cannot create a temporary file"), std::string::npos);
    EXPECT_TRUE(std::filesystem::is_empty(m_dir));
}

} // namespace
