// SPDX-License-Identifier: EUPL-1.2
// cpslockd-worker: started by cpslockd for one `auth` request, with an empty environment; verifies the
// CPS card for one user and answers the auth lines (docs/protocol.md). The PIN arrives on standard
// input only, into a locked buffer that is wiped. A crash or hang here is a refusal in cpslockd.
#include "card/CardVerifier.h"
#include "core/ProcessHardening.h"
#include "core/SecureBuffer.h"
#include "core/Version.h"
#include "core/policy/PolicyLoader.h"
#include "daemon/worker/WorkerSession.h"
#include "pcsc/ReaderMonitor.h"
#include "platform/linux/DiskPolicyFiles.h"
#include "protocol/AuthAnswer.h"

#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include <cstdlib>

#include <sys/prctl.h>
#include <unistd.h>

namespace {

using namespace cpslock;

/// The real card side: CardVerifier over pcscd, and the reader monitor to wait for a card without
/// polling.
class VerifierCardCheck final : public worker::CardCheck {
public:
    VerifierCardCheck(card::CardVerifier& verifier, card::VerifyRequest request)
        : m_verifier(verifier), m_request(std::move(request)) {}
    ~VerifierCardCheck() override { stopMonitor(); }
    VerifierCardCheck(const VerifierCardCheck&) = delete;
    VerifierCardCheck& operator=(const VerifierCardCheck&) = delete;

    card::VerifyResult prepare(card::CardReady& ready) override { return m_verifier.prepare(m_request, &ready); }

    bool waitForCardEvent(std::chrono::steady_clock::time_point deadline) override {
        if (!m_monitor) {
            // At start the monitor reports the cards already present: one harmless extra prepare().
            m_monitor = std::make_unique<pcsc::ReaderMonitor>([this](const ReaderEvent& event) {
                if (event.type == ReaderEventType::CardInserted || event.type == ReaderEventType::ServiceRestored) {
                    const std::lock_guard lock(m_mutex);
                    m_changed = true;
                    m_wake.notify_all();
                }
            });
            m_monitor->start();
        }
        std::unique_lock lock(m_mutex);
        const bool changed = m_wake.wait_until(lock, deadline, [this] { return m_changed; });
        m_changed = false;
        return changed;
    }

    card::VerifyResult verify(SecureBuffer& pin) override {
        stopMonitor(); // nothing else talks to pcscd while the card works
        return m_verifier.verify(m_request, pin);
    }

private:
    void stopMonitor() {
        if (m_monitor) {
            m_monitor->stop();
            m_monitor.reset();
        }
    }

    card::CardVerifier& m_verifier;
    card::VerifyRequest m_request;
    std::unique_ptr<pcsc::ReaderMonitor> m_monitor;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_changed = false;
};

void answerRefused(RefusalReason reason, std::string detail) {
    worker::writeAnswer(STDOUT_FILENO, protocol::refusedAnswer(Refusal{reason, std::move(detail), std::nullopt}));
}

int run(int argc, char** argv) {
    const std::vector<std::string_view> args(argv + 1, argv + argc);
    if (args.size() == 1 && args[0] == "--version") {
        std::printf("cpslockd-worker %s\n", CPSLOCK_VERSION);
        return 0;
    }
    const auto parsed = worker::parseWorkerArgs(args);
    if (!parsed) {
        answerRefused(RefusalReason::ModuleError, "cpslockd-worker: " + parsed.error().message);
        return worker::kExitUsage;
    }
    const worker::WorkerArgs& workerArgs = *parsed;

    if (geteuid() == 0 || getuid() == 0) {
        // cpslockd drops root before it starts workers; a worker that is root was started wrongly.
        answerRefused(RefusalReason::ModuleError, "cpslockd-worker refuses to run as root");
        return worker::kExitUsage;
    }
    // Only cpslockd's --policy chooses another policy (never an environment variable). The files it
    // names (anchors, deny-list, CRLs) are read once, by the verifier, while the module works.
    const auto location = policy::resolvePolicyLocation(workerArgs.policy, std::nullopt, std::nullopt);
    const policy::LoadResult loaded = platform::loadPolicyFromDisk(location);
    if (!loaded.ok()) {
        const policy::Diagnostic* error = policy::firstError(loaded.diagnostics);
        answerRefused(RefusalReason::PolicyError, error != nullptr ? error->format() : "policy invalid");
        return worker::kExitRefused;
    }

    // The card service and OpenSC's configuration come from the root-owned policy only (the
    // environment is empty): set before the first PC/SC or PKCS#11 call.
    if (!loaded.policy.pcsc.socket.empty())
        setenv("PCSCLITE_CSOCK_NAME", loaded.policy.pcsc.socket.c_str(), 1);
    if (!loaded.policy.pkcs11.openscConf.empty())
        setenv("OPENSC_CONF", loaded.policy.pkcs11.openscConf.c_str(), 1);

    auto presence = card::makePcscPresence();
    card::CardVerifier verifier(loaded.policy, *presence);
    if (workerArgs.inspectReader) {
        card::VerifyRequest request;
        request.reader = *workerArgs.inspectReader;
        const std::string line = protocol::formatReply(worker::inspectReply(verifier.inspect(request)));
        return ::write(STDOUT_FILENO, line.data(), line.size()) == static_cast<ssize_t>(line.size()) ? 0 : 1;
    }
    VerifierCardCheck check(verifier, card::VerifyRequest{std::nullopt, workerArgs.user});
    return worker::runWorkerSession(check, workerArgs, STDIN_FILENO, STDOUT_FILENO);
}

} // namespace

int main(int argc, char** argv) {
    (void)cpslock::disableCoreDumps();      // a crash with the PIN in memory leaves no core file
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); // no setuid program started from here gains anything
    (void)std::signal(SIGPIPE, SIG_IGN);    // a module that went away is an EPIPE, handled as such
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        answerRefused(cpslock::RefusalReason::ModuleError, std::string("cpslockd-worker: ") + e.what());
    } catch (...) {
        answerRefused(cpslock::RefusalReason::ModuleError, "cpslockd-worker: unknown exception");
    }
    return cpslock::worker::kExitRefused;
}
