// SPDX-License-Identifier: EUPL-1.2
#pragma once

// Internal to the policy loader: parses policy texts and applies them, in order, through the
// schema tables.

#include "core/policy/PolicyLoader.h"

#include <span>

namespace cpslock::policy::detail {

/// Parses each document and merges it into `result` (policy, provenance, diagnostics), appending
/// its name to result.files. Never throws: garbage of any kind becomes diagnostics.
void applyDocuments(std::span<const PolicyDocument> documents, LoadResult& result);

} // namespace cpslock::policy::detail
