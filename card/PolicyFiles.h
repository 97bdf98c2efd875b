// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/policy/PolicyLoader.h"

#include <string>
#include <vector>

namespace cpslock::card {

/// Load options of `cpslock check-policy`: the policy loader of core/ plus the card/ readers of the
/// files the policy names (deny-list, trust anchors), so a bad deny-list line or an anchors folder
/// without a root certificate is reported with the policy. Programs that verify cards do not need
/// them: CardVerifier reads those files once (card/TrustMaterial) and refuses with policy-error.
/// @param anchorSubjects when given, receives the subjects of the anchors found.
policy::LoadOptions policyLoadOptions(std::vector<std::string>* anchorSubjects = nullptr);

} // namespace cpslock::card
