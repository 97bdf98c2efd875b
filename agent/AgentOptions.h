// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Refusal.h"

#include <QStringList>

#include <optional>
#include <string>
#include <string_view>

namespace cpslock::agent {

/// cpslock-agent's command line.
struct AgentOptions {
    enum class Mode { Tray, Headless, Check };
    Mode mode = Mode::Tray;
    bool json = false; ///< --check --json: one JSON object on stdout
    bool verbose = false;
    std::optional<std::string> policyFile;
    std::string daemonSocket; ///< empty: cpslockd's default socket
};

/// The outcome of parsing: options to run with, or an exit now (help, version: 0 with `output` for
/// stdout; a usage error: 2 with `error` for stderr, in the user's language, usage included).
struct AgentOptionsResult {
    std::optional<AgentOptions> options;
    int exitCode = 0;
    std::string output;
    std::string error;
};

/// Parses `arguments` (argv, program name first) with QCommandLineParser. No side effect: the caller
/// prints and exits. Works without a QCoreApplication (main parses before creating one). `program`:
/// the name --version prints (cpslock-agent-tray is the same main with the tray).
AgentOptionsResult parseAgentOptions(const QStringList& arguments, Language language,
                                     std::string_view program = "cpslock-agent");

} // namespace cpslock::agent
