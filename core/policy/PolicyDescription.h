// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/policy/PolicyLoader.h"

#include <optional>
#include <string>
#include <vector>

namespace cpslock::policy {

/// One effective value, ready to print.
struct EffectiveEntry {
    std::string key;                      ///< dotted: "session.idle_timeout", "accounts.holders.810002813839"
    std::string tomlValue;                ///< in TOML syntax: "\"10m\"", "true", "[\"CPS\"]"
    std::string jsonValue;                ///< the same value as JSON
    std::optional<SourceLocation> source; ///< nullopt = built-in default
    bool operator==(const EffectiveEntry&) const = default;
};

/// Every effective value in reference order, with where it came from.
std::vector<EffectiveEntry> describePolicy(const Policy& policy, const Provenance& provenance);

/// `cpslock check-policy` text: one "key = value  # source" line per entry.
std::string renderPolicyText(const LoadResult& result);

/// `cpslock check-policy --json`: {"valid", "files", "policy", "sources", "errors", "warnings", "notes"}.
std::string renderPolicyJson(const LoadResult& result);

/// What differs between two policies, one "key: old -> new" line each (for the audit log).
std::vector<std::string> describeChanges(const Policy& before, const Policy& after);

} // namespace cpslock::policy
