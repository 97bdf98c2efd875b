// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "daemon/Authority.h"

namespace cpslock::daemon {

/// Accounts through NSS (getpwnam_r), sessions through logind on the system bus (sd-bus, one short
/// connection per question: cpslockd stays idle between requests and survives a logind restart).
class SystemDirectory final : public Directory {
public:
    std::optional<uid_t> userId(const std::string& user) override;
    std::optional<uid_t> sessionOwner(const std::string& id) override;
};

} // namespace cpslock::daemon
