// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/policy/PolicyLoader.h"

#include <string>
#include <vector>

namespace cpslock::card {

/// Load options every program uses: the policy loader of core/ plus the card/ readers of the files
/// the policy names (deny-list, trust anchors), so a bad deny-list line or an anchors folder without
/// a root certificate refuses the policy the same way in the CLI, the agent and the PAM helper.
/// @param anchorSubjects when given, receives the subjects of the anchors found.
policy::LoadOptions policyLoadOptions(std::vector<std::string>* anchorSubjects = nullptr);

} // namespace cpslock::card
