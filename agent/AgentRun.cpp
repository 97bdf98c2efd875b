// SPDX-License-Identifier: EUPL-1.2
#include "agent/AgentRun.h"

#include "agent/AgentCore.h"
#include "agent/AgentLogging.h"
#include "agent/AgentOptions.h"
#include "agent/AgentSetup.h"
#include "agent/CpslockdAuthority.h"
#include "agent/SignalPipe.h"
#include "core/ProcessHardening.h"
#include "core/UiLanguage.h"
#include "protocol/DaemonClient.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>

namespace cpslock::agent {
namespace {

/// Parses and prints what the parser says (help, version, usage errors).
AgentOptionsResult parseArguments(int argc, char** argv, const char* program) {
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    AgentOptionsResult parsed = parseAgentOptions(arguments, uiLanguageFromEnvironment(), program);
    std::fputs(parsed.output.c_str(), stdout);
    std::fputs(parsed.error.c_str(), stderr);
    return parsed;
}

/// Whether this process runs the tray: asked for (--tray), a display to show it on, and the front end
/// able to. Without it the protection runs headless: it must not stop with the tray.
bool runsTray(const AgentOptions& options, AgentFrontEnd& frontEnd, char** argv) {
    if (options.mode != AgentOptions::Mode::Tray)
        return false;
    const bool noDisplay = std::getenv("DISPLAY") == nullptr && std::getenv("WAYLAND_DISPLAY") == nullptr &&
                           std::getenv("QT_QPA_PLATFORM") == nullptr;
    if (noDisplay) {
        spdlog::warn("no display (DISPLAY/WAYLAND_DISPLAY unset): running without the tray");
        return false;
    }
    if (frontEnd.takeTray(argv))
        return true;
    spdlog::warn("running without the tray");
    return false;
}

/// From the signal handlers to the end of the event loop.
int runLoop(AgentSetup& setup, const std::string& daemonSocket, bool tray, AgentFrontEnd& frontEnd) {
    SignalPipe signals;
    if (const auto installed = signals.install(); !installed) {
        spdlog::error("{}", installed.error().message);
        return 1;
    }
    // The card authority: which card cpslockd verified for this session (a short time-out: it is asked
    // on the main thread at every unlock). Unreachable counts as "no verified card": fail closed.
    CpslockdAuthority authority(protocol::DaemonClient(daemonSocket, std::chrono::milliseconds(1500)));
    AgentCore& core = setup.createCore(&authority);
    // SIGTERM/SIGINT: lock first unless logging out (AgentCore::shutdown), then leave the loop.
    signals.onSignal(QCoreApplication::instance(), [&core] { core.shutdown([] { QCoreApplication::quit(); }); });
    if (tray)
        frontEnd.startTray(setup, core, authority, daemonSocket);
    setup.announce();
    core.start(true);
    const int rc = QCoreApplication::exec();
    core.stop();
    frontEnd.stopTray();
    setup.finish();
    spdlog::info("stopped");
    return rc;
}

} // namespace

int runAgent(int& argc, char** argv, AgentFrontEnd& frontEnd) {
    const AgentOptionsResult parsed = parseArguments(argc, argv, frontEnd.program());
    if (!parsed.options)
        return parsed.exitCode;
    const AgentOptions& options = *parsed.options;
    const std::string daemonSocket =
        options.daemonSocket.empty() ? std::string(protocol::kDefaultDaemonSocket) : options.daemonSocket;

    // Under systemd (the user unit) stderr is the journal: log natively, a priority per line.
    spdlog::set_default_logger(makeAgentLogger(options.verbose));
    const bool tray = runsTray(options, frontEnd, argv);
    const std::unique_ptr<QCoreApplication> application = frontEnd.makeApplication(argc, argv, tray);
    AgentSetup setup(options.policyFile);
    setup.loadPolicy();
    setup.createAuditSink();
    setup.probe();
    if (options.mode == AgentOptions::Mode::Check)
        return options.json ? setup.printCheckJson(stdout, daemonSocket) : setup.printCheck(stdout);

    // After the D-Bus and X11 connections: no core dumps (a dump of the agent would show the session's
    // state to whoever reads /var/crash), no ptrace by other user processes.
    if (const auto hardened = disableCoreDumps(); !hardened)
        spdlog::warn("core dumps stay enabled: {}", hardened.error().message);
    return runLoop(setup, daemonSocket, tray, frontEnd);
}

} // namespace cpslock::agent
