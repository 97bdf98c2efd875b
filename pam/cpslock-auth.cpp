// cpslock-auth: started by pam_cpslock.so, verifies the CPS card for one PAM user and answers one
// line (docs/pam.md). The PIN arrives on standard input only, into a locked buffer that is wiped.
#include "card/CardVerifier.h"
#include "card/PolicyFiles.h"
#include "core/ProcessHardening.h"
#include "core/SecureBuffer.h"
#include "core/policy/PolicyLoader.h"
#include "pam/AuthHelper.h"
#include "pcsc/ReaderMonitor.h"

#include <condition_variable>
#include <csignal>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include <unistd.h>

namespace {

using namespace cpslock;

/// The real card side: CardVerifier over pcscd, and the reader monitor to wait for a card without
/// polling.
class VerifierCardCheck final : public pam::CardCheck {
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
    const Refusal refusal{reason, std::move(detail), std::nullopt};
    pam::HelperAnswer answer;
    answer.kind = pam::HelperAnswer::Kind::Refused;
    answer.reason = reason;
    answer.messageFr = refusal.messageFr();
    answer.messageEn = refusal.messageEn();
    answer.detail = refusal.detail;
    pam::writeAnswer(STDOUT_FILENO, answer);
}

int run(int argc, char** argv) {
    const std::vector<std::string_view> args(argv + 1, argv + argc);
    const auto parsed = pam::parseHelperArgs(args);
    if (!parsed.args) {
        answerRefused(RefusalReason::ModuleError, "cpslock-auth: " + parsed.error);
        return pam::kExitUsage;
    }
    const pam::HelperArgs& helperArgs = *parsed.args;

    // No CPSLOCK_POLICY here: only the module line (policy=) chooses another policy.
    const auto location = policy::resolvePolicyLocation(helperArgs.policy, std::nullopt, std::nullopt);
    const policy::LoadResult loaded = policy::loadPolicy(location, card::policyLoadOptions());
    if (!loaded.ok()) {
        std::string detail = "policy invalid";
        for (const auto& d : loaded.diagnostics) {
            if (d.severity == policy::Diagnostic::Severity::Error) {
                detail = d.format();
                break;
            }
        }
        answerRefused(RefusalReason::PolicyError, detail);
        return pam::kExitRefused;
    }

    auto presence = card::makePcscPresence();
    card::CardVerifier verifier(loaded.policy, *presence);
    VerifierCardCheck check(verifier, card::VerifyRequest{std::nullopt, helperArgs.user});
    return pam::runAuthHelper(check, helperArgs, STDIN_FILENO, STDOUT_FILENO);
}

} // namespace

int main(int argc, char** argv) {
    cpslock::disableCoreDumps();   // a crash with the PIN in memory leaves no core file
    std::signal(SIGPIPE, SIG_IGN); // a module that went away is an EPIPE, handled as such
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        answerRefused(cpslock::RefusalReason::ModuleError, std::string("cpslock-auth: ") + e.what());
    } catch (...) {
        answerRefused(cpslock::RefusalReason::ModuleError, "cpslock-auth: unknown exception");
    }
    return cpslock::pam::kExitRefused;
}
