// SPDX-License-Identifier: EUPL-1.2
// PolicyWatcher on real folders. inotify queues an event before the syscall that caused it
// returns, so readEvents() right after a write sees it: no sleeps, no timing assumptions.

#include "platform/linux/PolicyWatcher.h"

#include "core/policy/PolicyStore.h"
#include "tests/unit/PolicyTestFiles.h"
#include "tests/unit/PolicyTestProbes.h"
#include "tests/unit/ProbedDiskFiles.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace cpslock::policy;
using cpslock::platform::PolicyWatcher;
using cpslock::policy::testing::TempPolicyDir;

namespace {

class PolicyWatcherTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_location.mainFile = m_dir.at("policy.toml");
        m_location.dropInDir = m_dir.at("policy.d");
        m_location.mainFileRequired = true;
    }
    TempPolicyDir m_dir;
    PolicyLocation m_location;
};

} // namespace

TEST_F(PolicyWatcherTest, ReportsMainFileAndDropInChanges) {
    m_dir.mkdir("policy.d");
    auto opened = PolicyWatcher::open(m_location);
    ASSERT_TRUE(opened) << opened.error().message;
    PolicyWatcher& watcher = **opened;
    EXPECT_GE(watcher.fd(), 0);
    EXPECT_FALSE(watcher.readEvents());

    m_dir.write("policy.toml", "# v1\n");
    EXPECT_TRUE(watcher.readEvents());
    EXPECT_FALSE(watcher.readEvents()); // drained

    m_dir.write("policy.d/10-site.toml", "# v1\n");
    EXPECT_TRUE(watcher.readEvents());

    ::chmod(m_dir.at("policy.toml").c_str(), 0666); // a mode change can make the policy invalid
    EXPECT_TRUE(watcher.readEvents());

    std::remove(m_dir.at("policy.d/10-site.toml").c_str());
    EXPECT_TRUE(watcher.readEvents());
}

TEST_F(PolicyWatcherTest, IgnoresUnrelatedFiles) {
    m_dir.mkdir("policy.d");
    auto opened = PolicyWatcher::open(m_location);
    ASSERT_TRUE(opened) << opened.error().message;
    PolicyWatcher& watcher = **opened;
    m_dir.write("other.conf", "x\n");
    m_dir.write("policy.d/README", "x\n");
    m_dir.write("policy.d/.10-site.toml.swp", "x\n");
    m_dir.write("policy.d/10-site.toml.dpkg-new", "x\n");
    EXPECT_FALSE(watcher.readEvents());
}

TEST_F(PolicyWatcherTest, FileBeingWrittenIsReportedWhenClosed) {
    m_dir.mkdir("policy.d");
    auto opened = PolicyWatcher::open(m_location);
    ASSERT_TRUE(opened) << opened.error().message;
    PolicyWatcher& watcher = **opened;
    const std::string path = m_dir.at("policy.d/10-site.toml");
    const int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    ASSERT_GE(fd, 0);
    EXPECT_FALSE(watcher.readEvents()); // created, still empty: not yet
    ASSERT_EQ(::write(fd, "[pin]\n", 6), 6);
    EXPECT_FALSE(watcher.readEvents()); // half-written: not yet
    ::close(fd);
    EXPECT_TRUE(watcher.readEvents());
}

TEST_F(PolicyWatcherTest, SymlinkCreatedIsReported) {
    m_dir.mkdir("policy.d");
    const std::string target = m_dir.write("elsewhere.toml", "# x\n");
    auto opened = PolicyWatcher::open(m_location);
    ASSERT_TRUE(opened) << opened.error().message;
    PolicyWatcher& watcher = **opened;
    ASSERT_EQ(::symlink(target.c_str(), m_dir.at("policy.d/10.toml").c_str()), 0);
    EXPECT_TRUE(watcher.readEvents()); // so that the owner reloads and refuses it
}

TEST_F(PolicyWatcherTest, AtomicRenameIntoPlaceIsSeen) {
    auto opened = PolicyWatcher::open(m_location);
    ASSERT_TRUE(opened) << opened.error().message;
    PolicyWatcher& watcher = **opened;
    m_dir.write("policy.toml.tmp", "# new\n");
    EXPECT_FALSE(watcher.readEvents());
    ASSERT_EQ(std::rename(m_dir.at("policy.toml.tmp").c_str(), m_dir.at("policy.toml").c_str()), 0);
    EXPECT_TRUE(watcher.readEvents());
}

TEST_F(PolicyWatcherTest, DropInFolderCreatedLaterIsWatched) {
    auto opened = PolicyWatcher::open(m_location);
    ASSERT_TRUE(opened) << opened.error().message;
    PolicyWatcher& watcher = **opened;
    m_dir.mkdir("policy.d");
    EXPECT_TRUE(watcher.readEvents());
    m_dir.write("policy.d/10-site.toml", "# new\n");
    EXPECT_TRUE(watcher.readEvents());
    m_dir.write("policy.d/notes.txt", "x\n");
    EXPECT_FALSE(watcher.readEvents());
}

TEST_F(PolicyWatcherTest, DropInFolderElsewhereAndItsRemoval) {
    const TempPolicyDir other;
    m_location.dropInDir = other.at("site.d");
    other.mkdir("site.d");
    auto opened = PolicyWatcher::open(m_location);
    ASSERT_TRUE(opened) << opened.error().message;
    PolicyWatcher& watcher = **opened;
    other.write("site.d/10.toml", "# x\n");
    EXPECT_TRUE(watcher.readEvents());
    std::filesystem::remove_all(other.at("site.d"));
    EXPECT_TRUE(watcher.readEvents());
    EXPECT_FALSE(watcher.readEvents()); // re-arming after the removal does not report itself
    other.mkdir("site.d");
    EXPECT_TRUE(watcher.readEvents());
    other.write("site.d/20.toml", "# y\n");
    EXPECT_TRUE(watcher.readEvents());
}

TEST_F(PolicyWatcherTest, WaitForChangeReturnsOnEventAndTimesOut) {
    auto opened = PolicyWatcher::open(m_location);
    ASSERT_TRUE(opened) << opened.error().message;
    PolicyWatcher& watcher = **opened;
    EXPECT_FALSE(watcher.waitForChange(std::chrono::milliseconds(0)));
    m_dir.write("policy.toml", "# x\n");
    EXPECT_TRUE(watcher.waitForChange(std::chrono::milliseconds(0)));
}

TEST_F(PolicyWatcherTest, WatcherDrivesStoreKeepLastValid) {
    if (!cpslock::policy::testing::runningAsRoot())
        GTEST_FAIL() << "policy files must be root's: run as root (CI does); a skip would count as a pass";
    m_dir.mkdir("policy.d");
    m_dir.write("policy.toml", "[session]\nidle_timeout = \"5m\"\n");
    const auto files = std::make_shared<const cpslock::policy::testing::ProbedDiskFiles>(
        cpslock::platform::FileSecurity{}, cpslock::policy::probes::acceptEveryPath);
    PolicyStore store(m_location, files, LoadOptions{});
    auto opened = PolicyWatcher::open(m_location);
    ASSERT_TRUE(opened) << opened.error().message;
    PolicyWatcher& watcher = **opened;
    ASSERT_EQ(store.reload().kind, PolicyStore::ReloadOutcome::Kind::Applied);
    EXPECT_EQ(store.current()->session.idleTimeout, Duration{300});

    // A valid drop-in: applied.
    m_dir.write("policy.d/10-site.toml", "[session]\nidle_timeout = \"2m\"\n");
    ASSERT_TRUE(watcher.readEvents());
    auto applied = store.reload();
    EXPECT_EQ(applied.kind, PolicyStore::ReloadOutcome::Kind::Applied);
    EXPECT_EQ(store.current()->session.idleTimeout, Duration{120});

    // A broken edit: refused, 2m stays.
    m_dir.write("policy.d/10-site.toml", "[session]\nidle_timeout = \"1 minute\"\n");
    ASSERT_TRUE(watcher.readEvents());
    auto refused = store.reload();
    EXPECT_EQ(refused.kind, PolicyStore::ReloadOutcome::Kind::Refused);
    EXPECT_EQ(refused.summary(), "policy refused (1 error): the last valid policy stays in force");
    EXPECT_EQ(store.current()->session.idleTimeout, Duration{120});

    // A file made writable by others: refused as well.
    m_dir.write("policy.d/10-site.toml", "[session]\nidle_timeout = \"1m\"\n");
    ::chmod(m_dir.at("policy.d/10-site.toml").c_str(), 0646);
    ASSERT_TRUE(watcher.readEvents());
    EXPECT_EQ(store.reload().kind, PolicyStore::ReloadOutcome::Kind::Refused);
    EXPECT_EQ(store.current()->session.idleTimeout, Duration{120});

    // Fixed: applied.
    ::chmod(m_dir.at("policy.d/10-site.toml").c_str(), 0644);
    ASSERT_TRUE(watcher.readEvents());
    EXPECT_EQ(store.reload().kind, PolicyStore::ReloadOutcome::Kind::Applied);
    EXPECT_EQ(store.current()->session.idleTimeout, Duration{60});
}
