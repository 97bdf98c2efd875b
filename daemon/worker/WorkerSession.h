// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "card/CardVerifier.h"
#include "core/Result.h"
#include "protocol/AuthAnswer.h"
#include "protocol/Request.h"

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace cpslock {
class SecureBuffer;
}

namespace cpslock::worker {

/// cpslockd-worker's command line: --user U [--policy FILE] [--wait-card SECONDS], or
/// --inspect READER [--policy FILE] (what the card says without its PIN, one reply line).
struct WorkerArgs {
    std::string user;
    std::optional<std::string> inspectReader;
    std::optional<std::string> policy;
    std::chrono::seconds waitCard{0};
};

/// The command line, or an error naming the bad argument.
Result<WorkerArgs> parseWorkerArgs(std::span<const std::string_view> args);

/// The card side of cpslockd-worker: card::CardVerifier for the real program, a fake in tests.
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
protocol::AuthAnswer answerFor(const card::VerifyResult& result, const std::string& user);

/// The one reply line of --inspect: `done serial= holder= profession= cert= not_after= tries= locked=
/// refusal=` (the certificate checks' refusal, if any), or `error check-failed detail=` when the card could
/// not be read.
protocol::Reply inspectReply(const card::CardReport& report);

/// Exit codes of cpslockd-worker.
enum WorkerExitCode : int {
    kExitVerified = 0, ///< answered ok
    kExitRefused = 1,  ///< answered refused
    kExitUsage = 2,    ///< bad command line (answered refused module-error)
    kExitNoPin = 3,    ///< cpslockd went away before sending a PIN (no final answer)
};

/// The protocol of docs/pam.md on `in` / `out`: `waiting-card` while --wait-card waits, `ready`
/// or `refused`, then reads the PIN line into a SecureBuffer and answers `ok` or `refused`.
int runWorkerSession(CardCheck& check, const WorkerArgs& args, int in, int out);

/// Writes the whole answer line; false when cpslockd is gone.
bool writeAnswer(int fd, const protocol::AuthAnswer& answer);

} // namespace cpslock::worker
