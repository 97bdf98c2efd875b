// SPDX-License-Identifier: EUPL-1.2
// cpslock-agent: locks the session when the CPS card leaves, when pcscd is lost, and when idle.
//   cpslock-agent --tray [--policy FILE] [--verbose]      run with the tray icon (autostart, user unit)
//   cpslock-agent --headless [--policy FILE] [--verbose]   run (no tray)
//   cpslock-agent --check [--json] [--policy FILE]         print what was found and exit
// Options: agent/AgentOptions. Exit codes: agent/AgentRun.h.
// Qt Core + DBus only, so the headless agent stays small: `--tray` hands over to cpslock-agent-tray.
#include "agent/AgentRun.h"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <string>
#include <unistd.h>

namespace {

class HeadlessFrontEnd final : public cpslock::agent::AgentFrontEnd {
public:
    const char* program() const override { return "cpslock-agent"; }

    /// Replaces this process with cpslock-agent-tray from the same folder; returns only on failure.
    bool takeTray(char** argv) override {
        char self[PATH_MAX];
        const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
        if (n <= 0)
            return false;
        std::string path(self, static_cast<std::size_t>(n));
        path = path.substr(0, path.rfind('/') + 1) + "cpslock-agent-tray";
        ::execv(path.c_str(), argv);
        spdlog::warn("cannot start {}: {}", path, std::strerror(errno));
        return false;
    }

    std::unique_ptr<QCoreApplication> makeApplication(int& argc, char** argv, bool) override {
        return std::make_unique<QCoreApplication>(argc, argv);
    }
};

} // namespace

int main(int argc, char** argv) {
    HeadlessFrontEnd frontEnd;
    return cpslock::agent::runAgent(argc, argv, frontEnd);
}
