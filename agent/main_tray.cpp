// SPDX-License-Identifier: EUPL-1.2
// cpslock-agent-tray: cpslock-agent with the tray icon (Qt Widgets); `cpslock-agent --tray` starts it.
// Same options and exit codes as cpslock-agent (agent/AgentOptions, agent/AgentRun.h).
#include "agent/AgentRun.h"

#include "agent/CpslockdAuthority.h"
#include "agent/tray/TrayRuntime.h"
#include "protocol/DaemonClient.h"

#include <QApplication>

namespace {

using namespace cpslock;

/// Lost-card reports go to cpslockd, which refuses the card from then on (issue 10).
agent::LostCardReporter daemonReporter(agent::CpslockdAuthority& authority, const std::string& daemonSocket) {
    return [&authority, daemonSocket](const std::string& serial) {
        protocol::Request request{protocol::Verb::ReportLost, {{"serial", serial}}};
        if (authority.sessionId())
            request.fields["session"] = *authority.sessionId();
        const auto outcome = protocol::DaemonClient(daemonSocket).call(request);
        if (!outcome)
            return agent::LostCardReportResult(outcome.error());
        if (!outcome->ok)
            return agent::LostCardReportResult(fail(outcome->code + ": " + outcome->get("detail")));
        return agent::LostCardReportResult("cpslockd (" + daemonSocket + ")");
    };
}

class TrayFrontEnd final : public agent::AgentFrontEnd {
public:
    const char* program() const override { return "cpslock-agent-tray"; }
    bool takeTray(char**) override { return true; }

    std::unique_ptr<QCoreApplication> makeApplication(int& argc, char** argv, bool tray) override {
        if (tray)
            return std::make_unique<QApplication>(argc, argv);
        return std::make_unique<QCoreApplication>(argc, argv);
    }

    void startTray(agent::AgentSetup& setup, agent::AgentCore& core, agent::CpslockdAuthority& authority,
                   const std::string& daemonSocket) override {
        m_runtime = std::make_unique<agent::TrayRuntime>(setup, core, daemonReporter(authority, daemonSocket),
                                                         "cpslockd (" + daemonSocket + ")", daemonSocket);
    }

    void stopTray() override { m_runtime.reset(); }

private:
    std::unique_ptr<agent::TrayRuntime> m_runtime;
};

} // namespace

int main(int argc, char** argv) {
    TrayFrontEnd frontEnd;
    return agent::runAgent(argc, argv, frontEnd);
}
