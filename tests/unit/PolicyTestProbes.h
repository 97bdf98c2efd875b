// SPDX-License-Identifier: EUPL-1.2
#pragma once

// Path probes for the policy tests that parse documents without touching the disk
// (PolicyFileSecurityTest covers the real probe, platform/linux/DiskPolicyFiles).

#include "core/Result.h"
#include "core/policy/PolicyLoader.h"

#include <string>

namespace cpslock::policy::probes {

/// Every path the documents name is usable.
inline Result<void> acceptEveryPath(const std::string&, PathKind) {
    return {};
}

/// No path the documents name exists.
inline Result<void> nothingExists(const std::string&, PathKind) {
    return fail("does not exist");
}

} // namespace cpslock::policy::probes
