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

/// Every option the agent knows; all have a long name.
struct OptionSet {
    QCommandLineOption tray{QStringLiteral("tray")};
    QCommandLineOption headless{QStringLiteral("headless")};
    QCommandLineOption check{QStringLiteral("check")};
    QCommandLineOption json{QStringLiteral("json")};
    QCommandLineOption verbose{QStringList{QStringLiteral("verbose"), QStringLiteral("v")}};
    QCommandLineOption policy{QStringLiteral("policy"), {}, QStringLiteral("FILE")};
    QCommandLineOption socket{QStringLiteral("daemon-socket"), {}, QStringLiteral("PATH")};
    QCommandLineOption help{QStringList{QStringLiteral("help"), QStringLiteral("h")}};
    QCommandLineOption version{QStringLiteral("version")};
};

/// The options of a command line that parsed, checked: exactly one mode, --json with --check only, a
/// non-empty --policy, an absolute --daemon-socket.
AgentOptionsResult checkedOptions(const QCommandLineParser& parser, const OptionSet& o, Language language) {
    // One explicit mode: the autostart entry and the user unit say --tray.
    const int modes = static_cast<int>(parser.isSet(o.tray)) + static_cast<int>(parser.isSet(o.headless)) +
                      static_cast<int>(parser.isSet(o.check));
    if (modes != 1)
        return usageError("donnez exactement un de --tray, --headless, --check",
                          "give exactly one of --tray, --headless, --check", language);

    AgentOptions options;
    options.mode = parser.isSet(o.tray)       ? AgentOptions::Mode::Tray
                   : parser.isSet(o.headless) ? AgentOptions::Mode::Headless
                                              : AgentOptions::Mode::Check;
    options.json = parser.isSet(o.json);
    if (options.json && options.mode != AgentOptions::Mode::Check)
        return usageError("--json ne va qu'avec --check", "--json goes with --check only", language);
    options.verbose = parser.isSet(o.verbose);
    if (parser.isSet(o.policy)) {
        options.policyFile = parser.value(o.policy).toStdString();
        if (options.policyFile->empty())
            return usageError("--policy attend un fichier", "--policy needs a file", language);
    }
    if (parser.isSet(o.socket)) {
        options.daemonSocket = parser.value(o.socket).toStdString();
        // A relative path would depend on the folder the agent happens to start in.
        if (options.daemonSocket.empty() || options.daemonSocket[0] != '/')
            return usageError("--daemon-socket attend un chemin absolu", "--daemon-socket needs an absolute path",
                              language);
    }
    AgentOptionsResult r;
    r.options = std::move(options);
    return r;
}

AgentOptionsResult printOnly(std::string output) {
    AgentOptionsResult r;
    r.output = std::move(output);
    return r;
}

} // namespace

AgentOptionsResult parseAgentOptions(const QStringList& arguments, Language language, std::string_view program) {
    QCommandLineParser parser;
    // "-hv" is not two options; every option has a long name.
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const OptionSet o;
    parser.addOptions({o.tray, o.headless, o.check, o.json, o.verbose, o.policy, o.socket, o.help, o.version});

    if (!parser.parse(arguments)) {
        // Qt's own text is English; say which argument in both cases.
        const std::string what = parser.errorText().toStdString();
        return usageError("argument refusé (" + what + ")", what, language);
    }
    if (parser.isSet(o.help))
        return printOnly(kUsage);
    if (parser.isSet(o.version))
        return printOnly(std::string(program) + " " + CPSLOCK_VERSION + "\n");
    if (!parser.positionalArguments().isEmpty()) {
        const std::string extra = parser.positionalArguments().first().toStdString();
        return usageError("argument inattendu : " + extra, "unexpected argument: " + extra, language);
    }
    for (const QCommandLineOption* option : {&o.policy, &o.socket}) {
        if (parser.values(*option).size() > 1) {
            const std::string name = "--" + option->names().first().toStdString();
            return usageError(name + " donné plusieurs fois", name + " given more than once", language);
        }
    }
    return checkedOptions(parser, o, language);
}

} // namespace cpslock::agent
