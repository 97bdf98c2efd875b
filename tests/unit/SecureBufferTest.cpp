// SPDX-License-Identifier: EUPL-1.2
#include "core/SecureBuffer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <string>
#include <string_view>
#include <thread>
#include <unistd.h>
#include <utility>

using cpslock::SecureBuffer;

namespace {
bool allZero(std::span<const unsigned char> s) {
    return std::all_of(s.begin(), s.end(), [](unsigned char c) { return c == 0; });
}

std::string_view view(const SecureBuffer& b) {
    return {b.data(), b.size()};
}

void fill(SecureBuffer& b, std::string_view text) {
    for (char c : text)
        ASSERT_TRUE(b.append(c));
}

// A pipe whose write end already holds `input` and is closed, for readLine().
struct Pipe {
    int fds[2] = {-1, -1};
    explicit Pipe(std::string_view input, bool closeWriter = true) {
        EXPECT_EQ(pipe(fds), 0);
        EXPECT_EQ(write(fds[1], input.data(), input.size()), static_cast<ssize_t>(input.size()));
        if (closeWriter) {
            close(fds[1]);
            fds[1] = -1;
        }
    }
    ~Pipe() {
        for (int fd : fds)
            if (fd >= 0)
                close(fd);
    }
    int reader() const { return fds[0]; }
};
} // namespace

TEST(SecureBufferTest, AppendsUpToCapacityOnly) {
    SecureBuffer b(4);
    EXPECT_TRUE(b.empty());
    fill(b, "1234");
    EXPECT_FALSE(b.append('5'));
    EXPECT_EQ(view(b), "1234");
    EXPECT_EQ(b.capacity(), 4U);
}

TEST(SecureBufferTest, DefaultCapacityIsForPins) {
    EXPECT_EQ(SecureBuffer().capacity(), SecureBuffer::kPinCapacity);
}

TEST(SecureBufferTest, ClearWipesTheWholeStorage) {
    SecureBuffer b;
    fill(b, "98765432");
    ASSERT_FALSE(allZero(b.storageForTest()));
    b.clear();
    EXPECT_EQ(b.size(), 0U);
    EXPECT_TRUE(allZero(b.storageForTest()));
}

TEST(SecureBufferTest, MoveConstructionHandsOverStorageWithoutCopy) {
    SecureBuffer a;
    fill(a, "1234");
    const unsigned char* storage = a.storageForTest().data();
    SecureBuffer b(std::move(a));
    EXPECT_EQ(view(b), "1234");
    EXPECT_EQ(b.storageForTest().data(), storage); // same bytes, no second copy of the secret
    EXPECT_EQ(a.size(), 0U);                       // NOLINT(bugprone-use-after-move): checking the moved-from
    EXPECT_TRUE(a.storageForTest().empty());
    EXPECT_FALSE(a.append('x')); // no storage left to write into
    Pipe p("");
    EXPECT_EQ(a.readLine(p.reader()), SecureBuffer::ReadStatus::EndOfFile);
    Pipe q("1\n");
    EXPECT_EQ(a.readLine(q.reader()), SecureBuffer::ReadStatus::TooLong);
}

TEST(SecureBufferTest, MoveAssignmentLeavesOnlyZerosInTheSource) {
    SecureBuffer a;
    fill(a, "1234");
    SecureBuffer b;
    fill(b, "5678");
    const unsigned char* oldStorageOfB = b.storageForTest().data();
    b = std::move(a);
    EXPECT_EQ(view(b), "1234");
    // The source now owns b's old storage, wiped before the hand-over.
    EXPECT_EQ(a.storageForTest().data(), oldStorageOfB); // NOLINT(bugprone-use-after-move)
    EXPECT_EQ(a.size(), 0U);
    EXPECT_TRUE(allZero(a.storageForTest()));
}

TEST(SecureBufferTest, MemoryLockIsReportedNotRequired) {
    SecureBuffer b;
    // As root in CI mlock succeeds; elsewhere it may not: either way the buffer must work.
    if (geteuid() == 0) {
        EXPECT_TRUE(b.isMemoryLocked());
    }
    fill(b, "12");
    EXPECT_EQ(view(b), "12");
}

TEST(SecureBufferTest, ReadsOneLineAndLeavesTheRest) {
    Pipe p("1234\nnext\n");
    SecureBuffer b;
    ASSERT_EQ(b.readLine(p.reader()), SecureBuffer::ReadStatus::Ok);
    EXPECT_EQ(view(b), "1234");
    ASSERT_EQ(b.readLine(p.reader()), SecureBuffer::ReadStatus::Ok);
    EXPECT_EQ(view(b), "next");
    EXPECT_EQ(b.readLine(p.reader()), SecureBuffer::ReadStatus::EndOfFile);
}

TEST(SecureBufferTest, ReadStripsCarriageReturnAndAcceptsLastLineWithoutNewline) {
    Pipe crlf("0000\r\n");
    SecureBuffer b;
    ASSERT_EQ(b.readLine(crlf.reader()), SecureBuffer::ReadStatus::Ok);
    EXPECT_EQ(view(b), "0000");
    Pipe bare("4321");
    ASSERT_EQ(b.readLine(bare.reader()), SecureBuffer::ReadStatus::Ok);
    EXPECT_EQ(view(b), "4321");
}

TEST(SecureBufferTest, EmptyLineIsAnEmptySecretNotEndOfFile) {
    Pipe p("\n");
    SecureBuffer b;
    EXPECT_EQ(b.readLine(p.reader()), SecureBuffer::ReadStatus::Ok);
    EXPECT_TRUE(b.empty());
}

TEST(SecureBufferTest, ExactlyCapacityIsAccepted) {
    Pipe p("12345678\n");
    SecureBuffer b(8);
    ASSERT_EQ(b.readLine(p.reader()), SecureBuffer::ReadStatus::Ok);
    EXPECT_EQ(view(b), "12345678");
}

TEST(SecureBufferTest, OverLongLineIsRefusedWipedAndDrained) {
    Pipe p("123456789\nafter\n");
    SecureBuffer b(8);
    EXPECT_EQ(b.readLine(p.reader()), SecureBuffer::ReadStatus::TooLong);
    EXPECT_EQ(b.size(), 0U);
    EXPECT_TRUE(allZero(b.storageForTest()));
    // The tail of the refused line was drained: the next read sees the next line.
    ASSERT_EQ(b.readLine(p.reader()), SecureBuffer::ReadStatus::Ok);
    EXPECT_EQ(view(b), "after");
}

TEST(SecureBufferTest, ReadWipesPreviousContent) {
    SecureBuffer b;
    fill(b, "99999999");
    Pipe p("12\n");
    ASSERT_EQ(b.readLine(p.reader()), SecureBuffer::ReadStatus::Ok);
    EXPECT_EQ(view(b), "12");
    const auto storage = b.storageForTest();
    EXPECT_TRUE(allZero(storage.subspan(2)));
}

TEST(SecureBufferTest, ReadErrorIsReportedWithErrno) {
    SecureBuffer b;
    const int fd = open("/dev/null", O_WRONLY);
    ASSERT_GE(fd, 0);
    EXPECT_EQ(b.readLine(fd), SecureBuffer::ReadStatus::IoError);
    EXPECT_EQ(b.errorNumber(), EBADF);
    close(fd);
}

TEST(SecureBufferTest, DrainingAnEndlessLineIsBounded) {
    // A writer that never sends '\n' must not hold the reader: it gives up after kMaxDrain bytes.
    constexpr std::size_t kTotal = SecureBuffer::kMaxDrain + 4096;
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    std::thread writer([fd = fds[1]] {
        const std::string chunk(1024, '7');
        for (std::size_t sent = 0; sent < kTotal; sent += chunk.size())
            if (write(fd, chunk.data(), chunk.size()) != static_cast<ssize_t>(chunk.size()))
                break;
        close(fd);
    });
    SecureBuffer b(8);
    EXPECT_EQ(b.readLine(fds[0]), SecureBuffer::ReadStatus::TooLong);
    std::size_t rest = 0;
    char sink[4096];
    for (ssize_t n; (n = read(fds[0], sink, sizeof sink)) > 0;)
        rest += static_cast<std::size_t>(n);
    writer.join();
    close(fds[0]);
    EXPECT_EQ(rest, kTotal - (8 + 1 + SecureBuffer::kMaxDrain));
}
