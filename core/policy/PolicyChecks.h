// SPDX-License-Identifier: EUPL-1.2
#pragma once

// Internal to the policy loader: checks on the merged result, then the diagnostics' order.

#include "core/policy/PolicyLoader.h"

#include <string>
#include <vector>

namespace cpslock::policy::detail {

/// When the merged policy has no error: checks the paths it names (with `probe`) and the keys that depend on
/// each other. Then sorts the diagnostics: errors first, then warnings, then notes; within each,
/// files in the order they apply (`fileOrder`), then line and column.
void finish(LoadResult& result, const PathProbe& probe, const LoadOptions& options,
            const std::vector<std::string>& fileOrder);

} // namespace cpslock::policy::detail
