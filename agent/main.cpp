// SPDX-License-Identifier: EUPL-1.2
// cpslock-agent: locks the session when the CPS card leaves, when pcscd is lost, and when idle.
//   cpslock-agent --tray [--policy FILE] [--verbose]      run with the tray icon (autostart, user unit)
//   cpslock-agent --headless [--policy FILE] [--verbose]   run (no tray)
//   cpslock-agent --check [--json] [--policy FILE]         print what was found and exit
// Options: agent/AgentOptions.
// Exit codes: 0 ok, 1 runtime failure, 2 bad arguments, 3 (--check) no usable locker.
// Built twice: cpslock-agent (CPSLOCK_WITH_TRAY=0, Qt Core + DBus only, so the headless agent stays
// small) and cpslock-agent-tray (Qt Widgets). `cpslock-agent --tray` hands over to the second one.
#include "agent/AgentCore.h"
#include "agent/AgentLogging.h"
#include "agent/AgentOptions.h"
#include "agent/AgentSetup.h"
#if CPSLOCK_WITH_TRAY
#include "agent/tray/TrayRuntime.h"
#include <QApplication>
#endif

#include "core/ProcessHardening.h"
#include "agent/CpslockdAuthority.h"
#include "core/SessionAuthority.h"
#include "core/UiLanguage.h"
#include "protocol/DaemonClient.h"

#include <QCoreApplication>
#include <QSocketNotifier>

#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <climits>
#include <sys/socket.h>
#include <unistd.h>

namespace {

int g_signalFd = -1;

void onSignal(int) {
    const char byte = 1;
    // Only async-signal-safe calls here: the event loop reads the byte.
    [[maybe_unused]] const auto n = ::write(g_signalFd, &byte, 1);
}

#if !CPSLOCK_WITH_TRAY
/// Replaces this process with cpslock-agent-tray from the same folder; returns only on failure.
void execTray(char** argv) {
    char self[PATH_MAX];
    const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return;
    std::string path(self, static_cast<std::size_t>(n));
    path = path.substr(0, path.rfind('/') + 1) + "cpslock-agent-tray";
    ::execv(path.c_str(), argv);
    spdlog::warn("cannot start {}: {}", path, std::strerror(errno));
}
#endif

} // namespace

int main(int argc, char** argv) {
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    const auto parsed = cpslock::agent::parseAgentOptions(arguments, cpslock::uiLanguageFromEnvironment(),
                                                          CPSLOCK_WITH_TRAY ? "cpslock-agent-tray" : "cpslock-agent");
    std::fputs(parsed.output.c_str(), stdout);
    std::fputs(parsed.error.c_str(), stderr);
    if (!parsed.options)
        return parsed.exitCode;
    const cpslock::agent::AgentOptions& options = *parsed.options;
    using Mode = cpslock::agent::AgentOptions::Mode;
    const bool headless = options.mode == Mode::Headless;
    const bool check = options.mode == Mode::Check;
    const std::string daemonSocket =
        options.daemonSocket.empty() ? std::string(cpslock::protocol::kDefaultDaemonSocket) : options.daemonSocket;
    // Without a display the tray cannot start; the protection must not stop with it.
    const bool noDisplay = std::getenv("DISPLAY") == nullptr && std::getenv("WAYLAND_DISPLAY") == nullptr &&
                           std::getenv("QT_QPA_PLATFORM") == nullptr;
    bool tray = !headless && !check && !noDisplay;

    // Under systemd (the user unit) stderr is the journal: log natively, a priority per line.
    spdlog::set_default_logger(cpslock::agent::makeAgentLogger(options.verbose));

    if (!headless && !check && noDisplay)
        spdlog::warn("no display (DISPLAY/WAYLAND_DISPLAY unset): running without the tray");
#if !CPSLOCK_WITH_TRAY
    if (tray) {
        execTray(argv);
        // The protection must not stop with the tray: run headless.
        spdlog::warn("running without the tray");
        tray = false;
    }
#endif
    std::unique_ptr<QCoreApplication> application;
#if CPSLOCK_WITH_TRAY
    if (tray)
        application = std::make_unique<QApplication>(argc, argv);
    else
#endif
        application = std::make_unique<QCoreApplication>(argc, argv);
    QCoreApplication& app = *application;
    cpslock::agent::AgentSetup setup(options.policyFile);
    setup.loadPolicy();
    setup.createAuditSink();
    setup.probe();

    if (check)
        return options.json ? setup.printCheckJson(stdout, daemonSocket) : setup.printCheck(stdout);

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
    // The card authority: which card cpslockd verified for this session (a short time-out: it is asked
    // on the main thread at every unlock). Unreachable counts as "no verified card": fail closed.
    cpslock::agent::CpslockdAuthority authority(
        cpslock::protocol::DaemonClient(daemonSocket, std::chrono::milliseconds(1500)));
    cpslock::agent::AgentCore& core = setup.createCore(&authority);
    // SIGTERM/SIGINT: lock first unless logging out (AgentCore::shutdown), then leave the loop.
    QSocketNotifier signalNotifier(fds[1], QSocketNotifier::Read);
    QObject::connect(&signalNotifier, &QSocketNotifier::activated, &app, [&app, &core, fd = fds[1]] {
        char bytes[16];
        [[maybe_unused]] const auto n = ::read(fd, bytes, sizeof bytes);
        core.shutdown([&app] { app.quit(); });
    });
#if CPSLOCK_WITH_TRAY
    std::unique_ptr<cpslock::agent::TrayRuntime> trayRuntime;
    if (tray) {
        // Lost-card reports go to cpslockd, which refuses the card from then on (issue 10).
        auto reporter = [&authority, daemonSocket](const std::string& serial) {
            cpslock::protocol::Request request{cpslock::protocol::Verb::ReportLost, {{"serial", serial}}};
            if (authority.sessionId())
                request.fields["session"] = *authority.sessionId();
            const auto outcome = cpslock::protocol::DaemonClient(daemonSocket).call(request);
            cpslock::agent::LostCardReportResult result;
            if (!outcome)
                result.error = outcome.error().message;
            else if (!outcome->ok)
                result.error = outcome->code + ": " + outcome->get("detail");
            else
                result = {true, "cpslockd (" + daemonSocket + ")", {}};
            return result;
        };
        trayRuntime = std::make_unique<cpslock::agent::TrayRuntime>(setup, core, reporter,
                                                                    "cpslockd (" + daemonSocket + ")", daemonSocket);
    }
#endif
    setup.announce();
    core.start(true);
    const int rc = QCoreApplication::exec();
    core.stop();
#if CPSLOCK_WITH_TRAY
    trayRuntime.reset();
#endif
    setup.finish();
    spdlog::info("stopped");
    return rc;
}
