#pragma once

#include "card/CardVerifier.h"
#include "pam/HelperProtocol.h"

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace cpslock {
class SecureBuffer;
}

namespace cpslock::pam {

/// cpslock-auth's command line: --user U [--policy FILE] [--wait-card SECONDS].
struct HelperArgs {
    std::string user;
    std::optional<std::string> policy;
    std::chrono::seconds waitCard{0};
};

struct HelperArgsResult {
    std::optional<HelperArgs> args;
    std::string error; ///< names the bad argument
};

HelperArgsResult parseHelperArgs(std::span<const std::string_view> args);

/// The card side of cpslock-auth: card::CardVerifier for the real program, a fake in tests.
class CardCheck {
public:
    virtual ~CardCheck() = default;
    /// First phase, no PIN (CardVerifier::prepare).
    virtual card::VerifyResult prepare(card::CardReady& ready) = 0;
    /// Blocks until a card is inserted or the smart-card service comes back, or until `deadline`
    /// (false then). Used by --wait-card between two prepare() calls.
    virtual bool waitForCardEvent(std::chrono::steady_clock::time_point deadline) = 0;
    /// Second phase; the PIN is wiped before this returns (CardVerifier::verify).
    virtual card::VerifyResult verify(SecureBuffer& pin) = 0;
};

/// The answer line for a finished verification of `user`'s card (ok or refused).
HelperAnswer answerFor(const card::VerifyResult& result, const std::string& user);

/// Exit codes of cpslock-auth.
enum HelperExitCode : int {
    kExitVerified = 0, ///< answered ok
    kExitRefused = 1,  ///< answered refused
    kExitUsage = 2,    ///< bad command line (answered refused module-error)
    kExitNoPin = 3,    ///< the module went away before sending a PIN (no final answer)
};

/// The protocol of docs/pam.md on `in` / `out`: `waiting-card` while --wait-card waits, `ready`
/// or `refused`, then reads the PIN line into a SecureBuffer and answers `ok` or `refused`.
int runAuthHelper(CardCheck& check, const HelperArgs& args, int in, int out);

/// Writes the whole answer line; false when the module is gone.
bool writeAnswer(int fd, const HelperAnswer& answer);

} // namespace cpslock::pam
