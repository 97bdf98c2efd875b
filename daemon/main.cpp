// SPDX-License-Identifier: EUPL-1.2
// cpslockd: the card authority (docs/ARCHITECTURE.md, docs/protocol.md). Socket-activated by systemd
// as an unprivileged user; in tests and the demo `cpslockd --socket PATH --user nobody` in the
// foreground, started as root, drops to that user once its socket is bound.
#include "core/ProcessHardening.h"
#include "core/Result.h"
#include "core/Version.h"
#include "daemon/Authority.h"
#include "daemon/LostReports.h"
#include "daemon/Server.h"
#include "daemon/SystemDirectory.h"
#include "daemon/WorkerProcess.h"
#include "platform/linux/AuditSinks.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <grp.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#ifndef CPSLOCK_WORKER_PATH
#error "CPSLOCK_WORKER_PATH must name the installed cpslockd-worker"
#endif

namespace {

using namespace cpslock;

constexpr std::string_view kUsage =
    "usage: cpslockd [--socket PATH] [--policy FILE] [--state-dir DIR] [--user NAME] [--worker PATH]\n"
    "                [--audit journald|syslog|stderr] [--version]\n"
    "Without --socket the listening socket comes from systemd (socket activation).\n";

struct Options {
    std::optional<std::string> socket;
    std::optional<std::string> policy;
    std::string stateDir = "/var/lib/cpslock";
    std::optional<std::string> user;
    std::string worker = CPSLOCK_WORKER_PATH;
    std::string audit = "journald";
};

Result<Options> parse(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string_view name = argv[i];
        if (name == "--version" || name == "--help")
            continue;
        if (i + 1 >= argc)
            return fail(std::string(name) + " needs a value");
        const std::string value = argv[++i];
        const bool absolute = !value.empty() && value.front() == '/';
        if (name == "--socket" && absolute) {
            options.socket = value;
        } else if (name == "--policy" && absolute) {
            options.policy = value;
        } else if (name == "--state-dir" && absolute) {
            options.stateDir = value;
        } else if (name == "--worker" && absolute) {
            options.worker = value;
        } else if (name == "--user" && !value.empty()) {
            options.user = value;
        } else if (name == "--audit" && (value == "journald" || value == "syslog" || value == "stderr")) {
            options.audit = value;
        } else {
            return fail("bad argument " + std::string(name) + " " + value + " (paths must be absolute)");
        }
    }
    return options;
}

Result<int> bindSocket(const std::string& path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path)
        return fail(path + ": path too long");
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    struct stat st {};
    if (lstat(path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            return fail(path + ": exists and is not a socket");
        unlink(path.c_str()); // a stale socket of an earlier run
    }
    const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
        chmod(path.c_str(), 0666) != 0 || listen(fd, 64) != 0) {
        Error error = fail(path + ": " + std::strerror(errno));
        if (fd >= 0)
            close(fd);
        return error;
    }
    return fd;
}

/// The socket to serve: bound here with --socket, else handed over by systemd.
Result<int> listeningSocket(const Options& options) {
    if (options.socket)
        return bindSocket(*options.socket);
    if (sd_listen_fds(1) == 1)
        return SD_LISTEN_FDS_START;
    return fail("no --socket and no socket from systemd");
}

/// Root only long enough to bind: every request is served as `user`.
Result<void> dropPrivileges(const std::optional<std::string>& user) {
    if (geteuid() != 0 && getuid() != 0)
        return {};
    if (!user)
        return fail("cpslockd must not run as root: give --user NAME (the service unit sets User=)");
    const passwd* entry = getpwnam(user->c_str());
    if (entry == nullptr)
        return fail("unknown user " + *user);
    if (entry->pw_uid == 0)
        return fail("--user must not be root");
    if (setgroups(0, nullptr) != 0 || setgid(entry->pw_gid) != 0 || setuid(entry->pw_uid) != 0)
        return fail(std::string("cannot drop privileges: ") + std::strerror(errno));
    if (setuid(0) == 0)
        return fail("privileges could be regained after dropping them");
    return {};
}

AuditRecord lifecycleRecord(const char* kind, const char* message) {
    AuditRecord r;
    r.kind = kind;
    r.message = message;
    r.fields.emplace_back("uid", std::to_string(getuid()));
    r.fields.emplace_back("version", CPSLOCK_VERSION);
    return r;
}

/// --version and --help answer at once, before any argument is checked; nullopt for neither.
std::optional<int> answerInfoFlag(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        if (std::string_view(argv[i]) == "--version") {
            std::cout << "cpslockd " << CPSLOCK_VERSION << "\n";
            return 0;
        }
        if (std::string_view(argv[i]) == "--help") {
            std::cout << kUsage;
            return 0;
        }
    }
    return std::nullopt;
}

/// The socket bound, privileges dropped, the worker checked: or why cpslockd must not start.
Result<int> prepareToServe(const Options& options) {
    const auto listenFd = listeningSocket(options);
    if (!listenFd)
        return listenFd;
    if (auto dropped = dropPrivileges(options.user); !dropped)
        return dropped.error();
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    if (auto secure = daemon::checkWorkerExecutable(options.worker); !secure)
        return fail("card worker refused: " + secure.error().message);
    return listenFd;
}

void loadLostReports(daemon::LostReports& reports, AuditSink& audit) {
    if (auto loaded = reports.load(); !loaded) {
        // Fail closed: a report that cannot be read must not let its card in. Every card is refused.
        AuditRecord r = lifecycleRecord("request-refused", "lost-card reports unreadable: every card is refused");
        r.severity = AuditRecord::Severity::Error;
        r.fields.emplace_back("detail", loaded.error().message);
        audit.write(r);
    }
}

/// SIGTERM and SIGINT stop the server; they are taken by one thread, every other thread blocks them.
void stopOnSignals(daemon::Server& server) {
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGTERM);
    sigaddset(&stopSignals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
    std::thread([&server, stopSignals] {
        int signal = 0;
        sigwait(&stopSignals, &signal);
        server.stop();
    }).detach();
}

[[noreturn]] void serve(const Options& options, int listenFd) {
    std::string chosen;
    auto audit = platform::makeAuditSink(options.audit, &chosen, "cpslockd");
    daemon::LostReports reports(options.stateDir + "/lost-reports");
    loadLostReports(reports, *audit);
    daemon::SystemDirectory directory;
    daemon::Authority authority(directory, reports);
    daemon::WorkerSettings workers;
    workers.path = options.worker;
    workers.policyFile = options.policy;
    daemon::Server server(listenFd, authority, *audit, workers);
    stopOnSignals(server);

    audit->write(lifecycleRecord("daemon-started", "cpslockd prêt / ready"));
    sd_notify(0, "READY=1");
    const int status = server.run();
    audit->write(lifecycleRecord("daemon-stopped", "cpslockd arrêté / stopped"));
    // Connection threads still inside a request (a PIN being typed) hold references to the server and
    // the authority: leave without running their destructors under them. Reports are saved on each add.
    (void)std::fflush(nullptr);
    std::_Exit(status);
}

int run(int argc, char** argv) {
    if (const auto answered = answerInfoFlag(argc, argv))
        return *answered;
    const auto options = parse(argc, argv);
    if (!options) {
        std::cerr << "cpslockd: " << options.error().message << "\n" << kUsage;
        return 2;
    }
    const auto listenFd = prepareToServe(*options);
    if (!listenFd) {
        std::cerr << "cpslockd: " << listenFd.error().message << "\n";
        return 1;
    }
    serve(*options, *listenFd);
}

} // namespace

int main(int argc, char** argv) {
    (void)cpslock::disableCoreDumps();   // workers inherit it; a PIN relayed through here never lands in a core
    (void)std::signal(SIGPIPE, SIG_IGN); // writes to a caller that went away are errors, not deaths
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "cpslockd: " << e.what() << "\n";
    }
    return 1;
}
