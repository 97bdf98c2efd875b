// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "pam/Authenticator.h"

#include <memory>
#include <string>

namespace cpslock::pam {

/// Connects to cpslockd at `socketPath` and sends `request`: the module's side of an auth exchange.
/// An error when nobody listens there.
Result<std::unique_ptr<AuthChannel>> connectDaemon(const std::string& socketPath, const protocol::Request& request);

/// One request/reply exchange (attach from open_session): the reply, or why cpslockd could not be asked.
Result<protocol::Reply> askDaemon(const std::string& socketPath, const protocol::Request& request,
                                  std::chrono::milliseconds timeout);

} // namespace cpslock::pam
