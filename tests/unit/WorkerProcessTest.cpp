// SPDX-License-Identifier: EUPL-1.2
// The real spawning side of the module: stand-in helpers are small shell scripts in a root-owned
// temporary folder (the tests run as root, as in CI).
#include "daemon/WorkerProcess.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using cpslock::daemon::ChildSignalGuard;
using cpslock::daemon::WorkerChannel;

using cpslock::daemon::checkWorkerExecutable;
using cpslock::daemon::spawnWorker;
using namespace std::chrono_literals;

namespace {

class WorkerProcessTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (geteuid() != 0)
            GTEST_FAIL() << "needs root: the worker must be root-owned (CI runs as root)";
        char dir[] = "/tmp/cpslock-pam-XXXXXX";
        ASSERT_NE(mkdtemp(dir), nullptr);
        m_dir = dir;
    }
    void TearDown() override {
        std::error_code ignored;
        if (!m_dir.empty())
            std::filesystem::remove_all(m_dir, ignored);
    }

    std::string script(const std::string& name, const std::string& body, mode_t mode = 0755) {
        const std::string path = m_dir + "/" + name;
        std::ofstream(path) << "#!/bin/sh\n" << body;
        chmod(path.c_str(), mode);
        return path;
    }

    std::unique_ptr<WorkerChannel> spawn(const std::string& path, std::vector<std::string> args = {}) {
        auto helper = spawnWorker(path, args);
        EXPECT_TRUE(helper) << helper.error().message;
        if (!helper)
            return nullptr;
        return std::move(*helper);
    }

    std::string m_dir;
};

} // namespace

TEST_F(WorkerProcessTest, RootOwnedHelperInRootOwnedFoldersIsAccepted) {
    const auto path = script("helper", "exit 0\n");
    EXPECT_TRUE(checkWorkerExecutable(path));
}

TEST_F(WorkerProcessTest, HelperAnyoneElseCouldChangeIsRefused) {
    const auto writable = script("group-writable", "exit 0\n", 0775);
    EXPECT_FALSE(checkWorkerExecutable(writable));
    const auto worldWritable = script("world-writable", "exit 0\n", 0757);
    EXPECT_FALSE(checkWorkerExecutable(worldWritable));
    const auto notRoot = script("not-root", "exit 0\n");
    ASSERT_EQ(chown(notRoot.c_str(), 65534, 65534), 0);
    EXPECT_FALSE(checkWorkerExecutable(notRoot));
    const auto notExecutable = script("not-executable", "exit 0\n", 0644);
    EXPECT_FALSE(checkWorkerExecutable(notExecutable));
    const auto link = m_dir + "/link";
    ASSERT_EQ(symlink(script("target", "exit 0\n").c_str(), link.c_str()), 0);
    EXPECT_FALSE(checkWorkerExecutable(link));
    EXPECT_FALSE(checkWorkerExecutable("relative/helper"));
    EXPECT_FALSE(checkWorkerExecutable(m_dir + "/missing"));
    EXPECT_FALSE(checkWorkerExecutable(m_dir));
}

TEST_F(WorkerProcessTest, FolderAnyoneElseCouldChangeIsRefused) {
    const auto path = script("helper", "exit 0\n");
    ASSERT_EQ(chmod(m_dir.c_str(), 0775), 0);
    const auto checked = checkWorkerExecutable(path);
    ASSERT_FALSE(checked);
    EXPECT_NE(checked.error().message.find(m_dir), std::string::npos) << checked.error().message;
    ASSERT_EQ(chmod(m_dir.c_str(), 0755), 0);
    ASSERT_EQ(chown(m_dir.c_str(), 65534, 65534), 0);
    EXPECT_FALSE(checkWorkerExecutable(path));
}

TEST_F(WorkerProcessTest, LinesGoBothWaysAndExitStatusIsReported) {
    const auto path = script("echo", "echo \"ready $*\"\nread pin\necho \"got $pin\"\nexit 7\n");
    auto helper = spawn(path, {"--user", "alice"});
    std::string line;
    ASSERT_EQ(helper->readLine(line, 5s), WorkerChannel::ReadStatus::Line);
    EXPECT_EQ(line, "ready --user alice");
    ASSERT_TRUE(helper->sendSecret("1234", 4));
    ASSERT_EQ(helper->readLine(line, 5s), WorkerChannel::ReadStatus::Line);
    EXPECT_EQ(line, "got 1234");
    const auto exit = helper->finish(5s);
    EXPECT_TRUE(exit.exited);
    EXPECT_EQ(exit.code, 7);
}

// Issue 10, finding 1: OPENSC_CONF / PCSCLITE_CSOCK_NAME of whoever started cpslockd chose the card
// stack of a root helper. The worker's environment is empty.
TEST_F(WorkerProcessTest, WorkerSeesAnEmptyEnvironmentAndNoInheritedDescriptors) {
    ASSERT_EQ(setenv("CPSLOCK_TEST_SECRET", "leak", 1), 0);
    ASSERT_EQ(setenv("OPENSC_CONF", "/tmp/evil-opensc.conf", 1), 0);
    ASSERT_EQ(setenv("PCSCLITE_CSOCK_NAME", "/tmp/evil-pcscd.comm", 1), 0);
    ASSERT_EQ(setenv("SOFTHSM2_CONF", "/tmp/evil-softhsm.conf", 1), 0);
    // A descriptor of the host without close-on-exec (gdm and friends have plenty): must not leak.
    const int leaky = open("/dev/null", O_RDONLY);
    ASSERT_GE(leaky, 0);
    ASSERT_EQ(dup2(leaky, 42), 42);
    const auto path = script("env", "echo \"$(/usr/bin/env | /usr/bin/sort | /usr/bin/tr '\\n' ' ')\"\n"
                                    "if [ -e /proc/$$/fd/42 ]; then echo leaked; else echo closed; fi\n"
                                    "if [ -S /proc/$$/fd/0 ] && [ -S /proc/$$/fd/1 ]; then echo socket; fi\n");
    auto helper = spawn(path);
    close(42);
    close(leaky);
    for (const char* name : {"CPSLOCK_TEST_SECRET", "OPENSC_CONF", "PCSCLITE_CSOCK_NAME", "SOFTHSM2_CONF"})
        unsetenv(name);
    std::string env;
    std::string fd42;
    std::string stdio;
    ASSERT_EQ(helper->readLine(env, 5s), WorkerChannel::ReadStatus::Line);
    ASSERT_EQ(helper->readLine(fd42, 5s), WorkerChannel::ReadStatus::Line);
    ASSERT_EQ(helper->readLine(stdio, 5s), WorkerChannel::ReadStatus::Line);
    for (const char* name : {"CPSLOCK_TEST_SECRET", "OPENSC_CONF", "PCSCLITE_CSOCK_NAME", "SOFTHSM2_CONF", "HOME="})
        EXPECT_EQ(env.find(name), std::string::npos) << env;
    EXPECT_EQ(fd42, "closed");
    EXPECT_EQ(stdio, "socket");
    helper->finish(5s);
}

TEST_F(WorkerProcessTest, HangingHelperTimesOutAndIsKilled) {
    const auto path = script("hang", "exec sleep 30\n");
    auto helper = spawn(path);
    std::string line;
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(helper->readLine(line, 200ms), WorkerChannel::ReadStatus::Timeout);
    const auto exit = helper->finish(0ms);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    EXPECT_FALSE(exit.exited);
    EXPECT_EQ(exit.code, SIGKILL);
}

TEST_F(WorkerProcessTest, CrashedHelperIsClosedWithItsSignal) {
    const auto path = script("crash", "kill -SEGV $$\n");
    auto helper = spawn(path);
    std::string line;
    EXPECT_EQ(helper->readLine(line, 5s), WorkerChannel::ReadStatus::Closed);
    const auto exit = helper->finish(5s);
    EXPECT_FALSE(exit.exited);
    EXPECT_EQ(exit.code, SIGSEGV);
}

TEST_F(WorkerProcessTest, PartialLineBeforeExitIsNotAnAnswer) {
    const auto path = script("partial", "printf 'ok user=alice'\n");
    auto helper = spawn(path);
    std::string line;
    EXPECT_EQ(helper->readLine(line, 5s), WorkerChannel::ReadStatus::Closed);
}

TEST_F(WorkerProcessTest, EndlessLineIsTooLong) {
    const auto path = script("flood", "exec yes ok | tr -d '\\n'\n");
    auto helper = spawn(path);
    std::string line;
    EXPECT_EQ(helper->readLine(line, 5s), WorkerChannel::ReadStatus::TooLong);
}

TEST_F(WorkerProcessTest, WritingToADeadHelperFailsWithoutSigpipe) {
    const auto path = script("gone", "exit 0\n");
    auto helper = spawn(path);
    std::string line;
    ASSERT_EQ(helper->readLine(line, 5s), WorkerChannel::ReadStatus::Closed);
    // With a plain pipe this would raise SIGPIPE and kill the test (and the screen locker).
    EXPECT_FALSE(helper->sendSecret("1234", 4) && helper->sendSecret("1234", 4));
}

TEST_F(WorkerProcessTest, MissingHelperFailsToStart) {
    const auto helper = spawnWorker(m_dir + "/missing", {});
    ASSERT_FALSE(helper);
    EXPECT_FALSE(helper.error().message.empty());
}

TEST_F(WorkerProcessTest, HostThatIgnoresSigchldStillGetsTheExitStatus) {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    struct sigaction saved {};
    ASSERT_EQ(sigaction(SIGCHLD, &ignore, &saved), 0);
    {
        ChildSignalGuard guard;
        auto helper = spawn(script("exit3", "exit 3\n"));
        const auto exit = helper->finish(5s);
        EXPECT_TRUE(exit.exited);
        EXPECT_EQ(exit.code, 3);
    }
    struct sigaction after {};
    sigaction(SIGCHLD, &saved, &after);
    EXPECT_EQ(after.sa_handler, SIG_IGN) << "the host's disposition must be restored";
}
