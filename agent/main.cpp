// cpslock-agent: locks the session when the CPS card leaves, when pcscd is lost, and when idle.
//   cpslock-agent --headless [--policy FILE] [--verbose]   run (no tray)
//   cpslock-agent --check [--policy FILE]                  print what was found and exit
// Exit codes: 0 ok, 1 runtime failure, 2 bad arguments, 3 (--check) no usable locker.
#include "agent/AgentCore.h"
#include "agent/AgentSetup.h"

#include "core/ProcessHardening.h"

#include <QCoreApplication>
#include <QSocketNotifier>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

namespace {

int g_signalFd = -1;

void onSignal(int) {
    const char byte = 1;
    // Only async-signal-safe calls here: the event loop reads the byte.
    [[maybe_unused]] const auto n = ::write(g_signalFd, &byte, 1);
}

void usage() {
    std::fputs("usage: cpslock-agent --headless [--policy FILE] [--verbose]\n"
               "       cpslock-agent --check [--policy FILE]\n",
               stderr);
}

} // namespace

int main(int argc, char** argv) {
    bool headless = false;
    bool check = false;
    bool verbose = false;
    std::optional<std::string> policyFile;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--headless") {
            headless = true;
        } else if (arg == "--check") {
            check = true;
        } else if (arg == "--verbose" || arg == "-v") {
            verbose = true;
        } else if (arg == "--policy" && i + 1 < argc) {
            policyFile = argv[++i];
        } else if (arg == "--help" || arg == "-h") {
            usage();
            return 0;
        } else {
            std::fprintf(stderr, "cpslock-agent: unknown argument %s\n", arg.c_str());
            usage();
            return 2;
        }
    }
    if (!headless && !check) {
        std::fputs("cpslock-agent: the tray is not built yet: use --headless (or --check)\n", stderr);
        usage();
        return 2;
    }

    auto logger = spdlog::stderr_color_mt("cpslock-agent");
    logger->set_pattern("cpslock-agent: %l: %v");
    spdlog::set_default_logger(logger);
    spdlog::set_level(verbose ? spdlog::level::debug : spdlog::level::info);

    QCoreApplication app(argc, argv);
    cpslock::agent::AgentSetup setup(policyFile);
    setup.loadPolicy();
    setup.createAuditSink();
    setup.probe();

    if (check)
        return setup.printCheck(stdout);

    // After the D-Bus and X11 connections: no core dumps (a dump of the agent would show the session's
    // state to whoever reads /var/crash), no ptrace by other user processes.
    if (const auto hardened = cpslock::disableCoreDumps(); !hardened.ok)
        spdlog::warn("core dumps stay enabled: {}", hardened.error);

    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
        spdlog::error("socketpair: {}", std::strerror(errno));
        return 1;
    }
    g_signalFd = fds[0];
    struct sigaction sa {};
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    // A closed stderr (the journal restarting) must not kill the agent: that would fail open.
    std::signal(SIGPIPE, SIG_IGN);
    QSocketNotifier signalNotifier(fds[1], QSocketNotifier::Read);
    QObject::connect(&signalNotifier, &QSocketNotifier::activated, &app, [&app] { app.quit(); });

    cpslock::agent::AgentCore& core = setup.createCore();
    setup.announce();
    core.start(true);
    const int rc = QCoreApplication::exec();
    core.stop();
    setup.finish();
    spdlog::info("stopped");
    return rc;
}
