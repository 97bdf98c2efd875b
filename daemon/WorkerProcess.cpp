// SPDX-License-Identifier: EUPL-1.2
#include "daemon/WorkerProcess.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <string_view>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

namespace cpslock::daemon {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

std::string errnoText(const char* what, int error) {
    return std::string(what) + ": " + std::strerror(error);
}

class SpawnedWorker final : public WorkerChannel {
public:
    SpawnedWorker(pid_t pid, int socket, int pidfd) : m_pid(pid), m_socket(socket), m_pidfd(pidfd) {}
    ~SpawnedWorker() override { finish(milliseconds(0)); }
    SpawnedWorker(const SpawnedWorker&) = delete;
    SpawnedWorker& operator=(const SpawnedWorker&) = delete;

    ReadStatus readLine(std::string& line, milliseconds timeout) override { return m_socket.readLine(line, timeout); }

    bool sendSecret(const char* data, std::size_t size) override { return m_socket.sendSecret(data, size); }

    Exit finish(milliseconds grace) override {
        const auto deadline = Clock::now() + grace;
        if (m_socket.fd() >= 0) {
            // End of file for a worker still reading. Without a pidfd (kernels before 5.3) its own end
            // of file, when it exits, is the closest event; the exit status may then lag behind.
            m_socket.shutdownWrite();
            if (m_pidfd < 0 && m_pid > 0)
                waitReadable(m_socket.fd(), deadline, true);
            m_socket.close();
        }
        if (m_pid <= 0)
            return m_exit;
        if (m_pidfd >= 0)
            waitReadable(m_pidfd, deadline, false);
        int status = 0;
        pid_t done = waitpid(m_pid, &status, WNOHANG);
        while (done < 0 && errno == EINTR)
            done = waitpid(m_pid, &status, WNOHANG);
        if (done == 0) {
            kill(m_pid, SIGKILL);
            do {
                done = waitpid(m_pid, &status, 0);
            } while (done < 0 && errno == EINTR);
        }
        if (done == m_pid) {
            m_exit.exited = WIFEXITED(status);
            m_exit.code = WIFEXITED(status) ? WEXITSTATUS(status) : (WIFSIGNALED(status) ? WTERMSIG(status) : -1);
        }
        if (m_pidfd >= 0) {
            close(m_pidfd);
            m_pidfd = -1;
        }
        m_pid = -1;
        return m_exit;
    }

private:
    // Until `fd` is readable (drain: until it reports end of file) or the deadline.
    static void waitReadable(int fd, Clock::time_point deadline, bool drain) {
        pollfd pfd{fd, POLLIN, 0};
        for (;;) {
            const int ready = poll(&pfd, 1, protocol::pollTimeoutMs(protocol::timeLeft(deadline)));
            if (ready < 0 && errno == EINTR)
                continue;
            if (ready <= 0)
                return;
            if (!drain)
                return;
            std::array<char, 256> sink{};
            const ssize_t n = read(fd, sink.data(), sink.size());
            if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
                return;
        }
    }

    pid_t m_pid;
    protocol::LineSocket m_socket;
    int m_pidfd;
    Exit m_exit;
};

bool unsafeMode(const struct stat& st) {
    return st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0;
}

/// The file itself: absolute, regular, root-owned, not writable by others, executable.
Result<void> checkExecutableFile(const std::string& path) {
    if (path.empty() || path.front() != '/')
        return fail(path + ": not an absolute path");
    struct stat st {};
    if (lstat(path.c_str(), &st) != 0)
        return fail(errnoText(path.c_str(), errno));
    if (!S_ISREG(st.st_mode))
        return fail(path + ": not a regular file");
    if (unsafeMode(st))
        return fail(path + ": must be owned by root and not writable by group or others");
    if ((st.st_mode & S_IXUSR) == 0)
        return fail(path + ": not executable");
    return {};
}

/// Every folder above: whoever may rename entries there could swap the worker.
Result<void> checkFoldersAbove(const std::string& path) {
    struct stat st {};
    for (std::size_t end = path.find_last_of('/');; end = path.find_last_of('/', end - 1)) {
        const std::string dir = end == 0 ? std::string(1, '/') : path.substr(0, end);
        if (lstat(dir.c_str(), &st) != 0)
            return fail(errnoText(dir.c_str(), errno));
        if (!S_ISDIR(st.st_mode))
            return fail(dir + ": not a folder (symbolic links are refused)");
        const bool stickyRootOwned = st.st_uid == 0 && (st.st_mode & S_ISVTX) != 0;
        if (unsafeMode(st) && !stickyRootOwned)
            return fail(dir + ": must be owned by root and not writable by group or others");
        if (end == 0)
            break;
    }
    return {};
}

/// The child's side: stdin and stdout `socket`, stderr `devNull`, nothing else open; signal mask and
/// dispositions reset; its own session.
void prepareChild(posix_spawn_file_actions_t& actions, posix_spawnattr_t& attr, int socket, int devNull) {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_adddup2(&actions, socket, STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, socket, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, devNull, STDERR_FILENO);
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    sigset_t none;
    sigset_t all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    // Own session: a terminal's Ctrl-C or hang-up reaches cpslockd, not the worker behind its back.
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSID);
}

} // namespace

Result<void> checkWorkerExecutable(const std::string& path) {
    if (auto file = checkExecutableFile(path); !file)
        return file;
    return checkFoldersAbove(path);
}

Result<std::unique_ptr<WorkerChannel>> spawnWorker(const std::string& path, const std::vector<std::string>& args) {
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(path.c_str()));
    for (const auto& arg : args)
        argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    // Empty: PCSCLITE_CSOCK_NAME, OPENSC_CONF, LD_PRELOAD... of whoever started cpslockd never reach it.
    std::vector<char*> envp{nullptr};

    std::array<int, 2> pair{-1, -1};
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair.data()) != 0)
        return fail(errnoText("socketpair", errno));
    const int devNull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (devNull < 0) {
        const int why = errno;
        close(pair[0]);
        close(pair[1]);
        return fail(errnoText("/dev/null", why));
    }

    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    prepareChild(actions, attr, pair[1], devNull);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, path.c_str(), &actions, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    close(pair[1]);
    close(devNull);
    if (rc != 0) {
        close(pair[0]);
        return fail(errnoText(path.c_str(), rc));
    }
    const auto pidfd =
        static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); // -1 on old kernels: finish() then kills without a grace
    return std::unique_ptr<WorkerChannel>(std::make_unique<SpawnedWorker>(pid, pair[0], pidfd));
}

ChildSignalGuard::ChildSignalGuard() {
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    m_restore = sigaction(SIGCHLD, &dfl, &m_saved) == 0;
}

ChildSignalGuard::~ChildSignalGuard() {
    if (m_restore)
        sigaction(SIGCHLD, &m_saved, nullptr);
}

} // namespace cpslock::daemon
