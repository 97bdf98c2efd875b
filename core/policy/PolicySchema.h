// SPDX-License-Identifier: EUPL-1.2
#pragma once

// Internal to the policy loader: the schema. Every section, its keys, and how each value is
// checked and applied. These tables are the one list of keys: the walker, knownPolicyKeys() and
// so docs/policy.md (PolicyDocTest) all read them.

#include "core/policy/PolicyValues.h"

#include <span>
#include <string>
#include <string_view>

namespace cpslock::policy::detail {

/// Applies one value; true when the key's provenance is to be recorded at the key.
using Apply = bool (*)(Context&, const std::string& key, const toml::node&);

struct KeySpec {
    std::string_view name;
    Apply apply;
};

struct SectionSpec {
    std::string_view name;
    std::span<const KeySpec> keys;
};

struct RefusedKey {
    std::string_view key;
    std::string_view reason;
};

std::span<const SectionSpec> sections();
std::span<const RefusedKey> refusedKeys();

// The sections defined in PolicyAccountsSchema.cpp.
std::span<const KeySpec> accountsKeys();
std::span<const KeySpec> lostCardKeys();
std::span<const KeySpec> auditKeys();
std::span<const KeySpec> lockerKeys();
/// The keys of one [[accounts.shared]] item.
std::span<const std::string_view> sharedItemKeys();

} // namespace cpslock::policy::detail
