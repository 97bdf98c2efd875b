// SPDX-License-Identifier: EUPL-1.2
// Benchmark helper: runs CardVerifier::verify against a PKCS#11 token that is not in a PC/SC reader
// (SoftHSM), the card being described on the command line, and prints the time of each step.
//   cpslock-bench-verify MODULE SLOT_DESCRIPTION SERIAL POLICY_FILE ITERATIONS
// (the policy file gives the trust: anchors, CRLs, deny-list, card-issuer pins; MODULE replaces its modules)
// The PIN is read from standard input once (as cpslock verify does) and copied for each iteration.
// Output: one line per iteration "total_ms=… module=… login=… signature=… chain=… identity=…".
#include "card/CardVerifier.h"
#include "core/SecureBuffer.h"
#include "core/policy/Policy.h"
#include "core/policy/PolicyLoader.h"
#include "platform/linux/DiskPolicyFiles.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {
class FixedPresence final : public cpslock::card::CardPresence {
public:
    explicit FixedPresence(cpslock::card::CardInReader card) : m_card(std::move(card)) {}
    std::optional<std::vector<cpslock::card::CardInReader>> cards() override { return std::vector{m_card}; }

private:
    cpslock::card::CardInReader m_card;
};
} // namespace

int main(int argc, char** argv) {
    if (argc != 6) {
        std::fprintf(stderr, "usage: %s MODULE SLOT_DESCRIPTION SERIAL POLICY_FILE ITERATIONS < pin\n", argv[0]);
        return 2;
    }
    const auto loaded = cpslock::platform::loadPolicyFromDisk(
        cpslock::policy::resolvePolicyLocation(std::string(argv[4]), std::nullopt, std::nullopt));
    if (!loaded.ok()) {
        std::fprintf(stderr, "policy %s refused\n", argv[4]);
        return 2;
    }
    cpslock::policy::Policy policy = loaded.policy;
    policy.pkcs11.modules = {argv[1]};
    const int iterations = std::atoi(argv[5]);
    FixedPresence presence({argv[2], cpslock::CardKind::Cps3, argv[3], {}});

    cpslock::SecureBuffer pin;
    if (pin.readLine(STDIN_FILENO) != cpslock::SecureBuffer::ReadStatus::Ok)
        return 2;
    for (int i = 0; i < iterations; ++i) {
        cpslock::SecureBuffer copy;
        for (std::size_t k = 0; k < pin.size(); ++k)
            copy.append(pin.data()[k]);
        const auto start = std::chrono::steady_clock::now();
        cpslock::card::CardVerifier verifier(policy, presence);
        const auto result = verifier.verify({}, copy);
        const std::chrono::duration<double, std::milli> total = std::chrono::steady_clock::now() - start;
        if (!result.ok()) {
            std::fprintf(stderr, "refused: %s (%s)\n", std::string(toString(result.refusal->reason)).c_str(),
                         result.refusal->detail.c_str());
            return 1;
        }
        std::printf("total_ms=%.3f", total.count());
        for (const auto& [step, ms] : result.timings)
            std::printf(" %s=%.3f", step.c_str(), ms);
        std::printf("\n");
    }
    return 0;
}
