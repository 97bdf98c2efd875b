// SPDX-License-Identifier: EUPL-1.2
// `cpslock report-lost`: the lost-card report for sessions without a tray (issue 10). The report goes to
// cpslockd, which refuses that card from now on; the session is locked first when asked to.
#include "protocol/DaemonClient.h"
#include "tools/cli/Commands.h"
#include "tools/cli/Say.h"

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

namespace cpslock::cli {
namespace {

constexpr const char* kUsage =
    "usage: cpslock report-lost [--serial NUMBER] [--session ID] [--daemon-socket PATH]\n"
    "Reports the CPS card lost or stolen to cpslockd: it never opens a session on this PC again.\n"
    "Without --serial: the card verified for this session (XDG_SESSION_ID, or --session).\n";

} // namespace

int runReportLost(Args args) {
    std::optional<std::string> serial;
    std::optional<std::string> session;
    std::string socket(protocol::kDefaultDaemonSocket);
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view name = args[i];
        if (name == "--help") {
            std::fputs(kUsage, stdout);
            return 0;
        }
        if (i + 1 >= args.size() || (name != "--serial" && name != "--session" && name != "--daemon-socket")) {
            std::fprintf(stderr, "cpslock report-lost: bad argument '%.*s'\n%s", static_cast<int>(name.size()),
                         name.data(), kUsage);
            return 2;
        }
        const std::string value(args[++i]);
        if (name == "--serial")
            serial = value;
        else if (name == "--session")
            session = value;
        else
            socket = value;
    }
    if (!session) {
        if (const char* id = std::getenv("XDG_SESSION_ID"); id != nullptr && *id != '\0')
            session = id;
    }
    protocol::Request request{protocol::Verb::ReportLost, {}};
    if (serial)
        request.fields["serial"] = *serial;
    if (session)
        request.fields["session"] = *session;
    // Checked here too so that a typo gets a clear message before anything is sent.
    const auto checked =
        protocol::parseRequest(protocol::formatRequest(request).substr(0, protocol::formatRequest(request).size() - 1));
    if (!checked) {
        std::fprintf(stderr, "cpslock report-lost: %s\n", checked.error().message.c_str());
        return 2;
    }
    const auto outcome = protocol::DaemonClient(socket).call(request);
    if (!outcome) {
        std::fprintf(stderr, "%s\n(%s)\n",
                     say("Le service cpslockd ne répond pas : la carte n'a PAS été bloquée sur ce poste. Appelez le "
                         "support.",
                         "cpslockd is not answering: the card was NOT blocked on this PC. Call support."),
                     outcome.error().message.c_str());
        return 1;
    }
    if (!outcome->ok) {
        std::fprintf(stderr, "%s: %s (%s)\n", say("La déclaration a été refusée", "The report was refused"),
                     outcome->code.c_str(), outcome->get("detail").c_str());
        return outcome->code == "bad-request" ? 2 : 1;
    }
    std::printf("%s %s %s\n", say("Carte", "Card"), outcome->get("serial").c_str(),
                say("bloquée sur ce poste. Faites-la aussi opposer auprès de l'ANS (0 825 852 000).",
                    "blocked on this PC. Also have it opposed with the ANS (0 825 852 000)."));
    return 0;
}

} // namespace cpslock::cli
