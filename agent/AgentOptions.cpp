// SPDX-License-Identifier: EUPL-1.2
#include "agent/AgentOptions.h"

#include "core/Version.h"

#include <QCommandLineParser>

namespace cpslock::agent {
namespace {

constexpr const char* kUsage = "usage: cpslock-agent --tray [--policy FILE] [--daemon-socket PATH] [--verbose]\n"
                               "       cpslock-agent --headless [--policy FILE] [--daemon-socket PATH] [--verbose]\n"
                               "       cpslock-agent --check [--json] [--policy FILE] [--daemon-socket PATH]\n"
                               "       cpslock-agent --version | --help\n";

AgentOptionsResult usageError(const std::string& fr, const std::string& en, Language language) {
    AgentOptionsResult r;
    r.exitCode = 2;
    r.error = "cpslock-agent: " + (language == Language::French ? fr : en) + "\n" + kUsage;
    return r;
}

} // namespace

AgentOptionsResult parseAgentOptions(const QStringList& arguments, Language language, std::string_view program) {
    QCommandLineParser parser;
    // "-hv" is not two options; every option has a long name.
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption tray(QStringLiteral("tray"));
    const QCommandLineOption headless(QStringLiteral("headless"));
    const QCommandLineOption check(QStringLiteral("check"));
    const QCommandLineOption json(QStringLiteral("json"));
    const QCommandLineOption verbose(QStringList{QStringLiteral("verbose"), QStringLiteral("v")});
    const QCommandLineOption policy(QStringLiteral("policy"), {}, QStringLiteral("FILE"));
    const QCommandLineOption socket(QStringLiteral("daemon-socket"), {}, QStringLiteral("PATH"));
    const QCommandLineOption help(QStringList{QStringLiteral("help"), QStringLiteral("h")});
    const QCommandLineOption version(QStringLiteral("version"));
    parser.addOptions({tray, headless, check, json, verbose, policy, socket, help, version});

    if (!parser.parse(arguments)) {
        // Qt's own text is English; say which argument in both cases.
        const std::string what = parser.errorText().toStdString();
        return usageError("argument refusé (" + what + ")", what, language);
    }
    if (parser.isSet(help)) {
        AgentOptionsResult r;
        r.output = kUsage;
        return r;
    }
    if (parser.isSet(version)) {
        AgentOptionsResult r;
        r.output = std::string(program) + " " + CPSLOCK_VERSION + "\n";
        return r;
    }
    if (!parser.positionalArguments().isEmpty()) {
        const std::string extra = parser.positionalArguments().first().toStdString();
        return usageError("argument inattendu : " + extra, "unexpected argument: " + extra, language);
    }
    for (const QCommandLineOption* o : {&policy, &socket}) {
        if (parser.values(*o).size() > 1) {
            const std::string name = "--" + o->names().first().toStdString();
            return usageError(name + " donné plusieurs fois", name + " given more than once", language);
        }
    }
    // One explicit mode: the autostart entry and the user unit say --tray.
    const int modes = static_cast<int>(parser.isSet(tray)) + static_cast<int>(parser.isSet(headless)) +
                      static_cast<int>(parser.isSet(check));
    if (modes != 1)
        return usageError("donnez exactement un de --tray, --headless, --check",
                          "give exactly one of --tray, --headless, --check", language);

    AgentOptions options;
    options.mode = parser.isSet(tray)       ? AgentOptions::Mode::Tray
                   : parser.isSet(headless) ? AgentOptions::Mode::Headless
                                            : AgentOptions::Mode::Check;
    options.json = parser.isSet(json);
    if (options.json && options.mode != AgentOptions::Mode::Check)
        return usageError("--json ne va qu'avec --check", "--json goes with --check only", language);
    options.verbose = parser.isSet(verbose);
    if (parser.isSet(policy)) {
        options.policyFile = parser.value(policy).toStdString();
        if (options.policyFile->empty())
            return usageError("--policy attend un fichier", "--policy needs a file", language);
    }
    if (parser.isSet(socket)) {
        options.daemonSocket = parser.value(socket).toStdString();
        // A relative path would depend on the folder the agent happens to start in.
        if (options.daemonSocket.empty() || options.daemonSocket[0] != '/')
            return usageError("--daemon-socket attend un chemin absolu", "--daemon-socket needs an absolute path",
                              language);
    }
    AgentOptionsResult r;
    r.options = std::move(options);
    return r;
}

} // namespace cpslock::agent
