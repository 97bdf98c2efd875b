// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "daemon/Authority.h"
#include "daemon/WorkerProcess.h"
#include "protocol/AuthAnswer.h"
#include "protocol/LineSocket.h"
#include "protocol/Request.h"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cpslock::daemon {

/// How cpslockd runs its card workers.
struct WorkerSettings {
    std::string path;                      ///< cpslockd-worker
    std::optional<std::string> policyFile; ///< passed as --policy
    std::chrono::seconds stepTimeout{30};  ///< each worker step (card + PIN state; PIN check)
    std::chrono::minutes pinTimeout{5};    ///< how long the person may take to type the PIN
};

/// Starts a worker with these arguments (tests inject scripted ones).
using WorkerLauncher = std::function<Result<std::unique_ptr<WorkerChannel>>(const std::vector<std::string>& args)>;

/// The outcome of one auth request, for the audit record.
struct AuthOutcome {
    protocol::AuthAnswer final; ///< what the caller was told last (ok or refused)
    bool delivered = false;     ///< the caller got the final line
    std::string attachNote;     ///< ok: why the verification was not recorded for the session
    bool attached = false;
};

/// One `auth` request, relayed between the caller and a fresh worker: the worker's lines pass
/// through; the PIN goes from the caller into a locked buffer, to the worker, and is wiped; a worker
/// `ok` is checked (same user, lost-card reports, clean exit) before it is recorded and passed on
/// with a ticket. Any failure of the worker is a refusal (module-error), never an `ok`.
AuthOutcome relayAuth(protocol::LineSocket& caller, const Caller& who, const protocol::Request& request,
                      Authority& authority, const WorkerSettings& settings, const WorkerLauncher& launch);

/// `card-info reader=R`: a fresh worker with --inspect reads the card without its PIN; its one reply
/// line is checked and passed on. Any failure of the worker is `error check-failed`.
protocol::Reply relayCardInfo(const protocol::Request& request, const WorkerSettings& settings,
                              const WorkerLauncher& launch);

} // namespace cpslock::daemon
