// SPDX-License-Identifier: EUPL-1.2
#include "agent/AgentLogging.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <sys/stat.h>
#include <vector>

using cpslock::agent::isJournalStream;

TEST(AgentLoggingTest, JournalStreamMustNameTheDescriptorsDeviceAndInode) {
    std::FILE* file = std::tmpfile();
    ASSERT_NE(file, nullptr);
    const int fd = fileno(file);
    struct stat st {};
    ASSERT_EQ(fstat(fd, &st), 0);
    const std::string dev = std::to_string(st.st_dev);
    const std::string ino = std::to_string(st.st_ino);
    EXPECT_TRUE(isJournalStream(dev + ":" + ino, fd));
    // A stale value (stderr redirected since systemd set it), garbage or nothing: stderr lines.
    EXPECT_FALSE(isJournalStream(dev + ":" + std::to_string(st.st_ino + 1), fd));
    EXPECT_FALSE(isJournalStream(std::to_string(st.st_dev + 1) + ":" + ino, fd));
    EXPECT_FALSE(isJournalStream(std::nullopt, fd));
    for (const std::string& bad : std::vector<std::string>{"", ":", dev, dev + ":", ":" + ino, dev + ":" + ino + "x",
                                                           "-1:" + ino, dev + ":" + ino + ":1", " " + dev + ":" + ino})
        EXPECT_FALSE(isJournalStream(bad, fd)) << bad;
    EXPECT_FALSE(isJournalStream(dev + ":" + ino, -1));
    std::fclose(file);
}
