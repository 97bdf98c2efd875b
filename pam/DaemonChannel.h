// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "pam/Authenticator.h"

#include <memory>
#include <string>

namespace cpslock::pam {

/// Connects to cpslockd at `socketPath` and sends `request`: the module's side of an auth exchange.
/// nullptr with `error` set when nobody listens there.
std::unique_ptr<AuthChannel> connectDaemon(const std::string& socketPath, const protocol::Request& request,
                                           std::string& error);

/// One request/reply exchange (attach from open_session); the reply, or nullopt with `error`.
std::optional<protocol::Reply> askDaemon(const std::string& socketPath, const protocol::Request& request,
                                         std::chrono::milliseconds timeout, std::string& error);

} // namespace cpslock::pam
