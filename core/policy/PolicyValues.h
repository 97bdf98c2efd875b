// SPDX-License-Identifier: EUPL-1.2
#pragma once

// Internal to the policy loader: the context a document is applied in, and the typed readers of
// TOML values every applier uses. Each reader reports its own errors and returns nullopt.

#include "core/policy/Policy.h"
#include "core/policy/PolicyLoader.h"
#include "core/policy/PolicyText.h"

#include <toml++/toml.h>

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cpslock::policy::detail {

struct Context {
    Policy& policy;
    Provenance& provenance;
    std::vector<Diagnostic>& diagnostics;
    const std::string& file;

    SourceLocation at(const toml::source_region& r) const { return {file, r.begin.line, r.begin.column}; }
    void report(Diagnostic::Severity severity, SourceLocation where, std::string message) const {
        diagnostics.push_back({severity, std::move(where), std::move(message)});
    }
    /// At a key (where an admin looks for a misspelt or refused name).
    void errorAt(const toml::key& key, std::string message) const {
        report(Diagnostic::Severity::Error, at(key.source()), std::move(message));
    }
    void warningAt(const toml::key& key, std::string message) const {
        report(Diagnostic::Severity::Warning, at(key.source()), std::move(message));
    }
    /// At a value.
    void error(const toml::node& n, std::string message) const {
        report(Diagnostic::Severity::Error, at(n.source()), std::move(message));
    }
    void wrongType(const toml::node& n, std::string_view key, std::string_view expected) const;
};

/// The error for a string that is none of `names` (or not a string), with a "did you mean".
void badEnumValue(const Context& ctx, std::string_view key, const toml::node& n,
                  std::span<const std::string_view> names);

template <typename E, std::size_t N>
std::optional<E> getEnum(const Context& ctx, std::string_view key, const toml::node& n,
                         const std::array<EnumName<E>, N>& names) {
    if (const auto* s = n.as_string()) {
        for (const auto& entry : names) {
            if (entry.name == s->get())
                return entry.value;
        }
    }
    std::array<std::string_view, N> candidates{};
    for (std::size_t i = 0; i < N; ++i)
        candidates[i] = names[i].name;
    badEnumValue(ctx, key, n, candidates);
    return std::nullopt;
}

/// An array whose every item is accepted by `item`; nullopt (with errors) otherwise.
template <typename T, typename F>
std::optional<std::vector<T>> getArray(const Context& ctx, std::string_view key, const toml::node& n,
                                       std::size_t maxItems, F&& item) {
    const auto* a = n.as_array();
    if (a == nullptr) {
        ctx.wrongType(n, key, "an array");
        return std::nullopt;
    }
    if (a->size() > maxItems) {
        ctx.error(n, "'" + std::string(key) + "' has " + std::to_string(a->size()) + " items, at most " +
                         std::to_string(maxItems));
        return std::nullopt;
    }
    std::vector<T> out;
    bool ok = true;
    for (const toml::node& element : *a) {
        std::optional<T> v = item(element);
        if (v)
            out.push_back(std::move(*v));
        else
            ok = false;
    }
    if (!ok)
        return std::nullopt;
    return out;
}

template <typename T> bool assign(T& target, std::optional<T>&& value) {
    if (!value)
        return false;
    target = std::move(*value);
    return true;
}

std::optional<std::string> getString(const Context& ctx, std::string_view key, const toml::node& n,
                                     std::size_t maxLength = kMaxPathLength, bool allowNewline = false);
std::optional<bool> getBool(const Context& ctx, std::string_view key, const toml::node& n);
std::optional<Duration> getDuration(const Context& ctx, std::string_view key, const toml::node& n, Duration min,
                                    Duration max, bool zeroAllowed);
std::optional<std::string> getAbsolutePath(const Context& ctx, std::string_view key, const toml::node& n);
/// A CRL location: plain http(s), printable ASCII, no user info (a CRL is public and signed).
std::optional<std::string> getCrlUrl(const Context& ctx, std::string_view key, const toml::node& n);
std::optional<CardType> getCardType(const Context& ctx, std::string_view key, const toml::node& e);
std::optional<std::vector<CardType>> getCardTypes(const Context& ctx, std::string_view key, const toml::node& n);
/// A user (or group: same rules, `noun` says which) name as the system tools accept it.
std::optional<std::string> getAccountName(const Context& ctx, std::string_view key, const toml::node& n,
                                          std::string_view noun);
std::optional<std::string> getUserName(const Context& ctx, std::string_view key, const toml::node& n);
/// session.exempt_users / exempt_groups: names, each once.
std::optional<std::vector<std::string>> getExemptNames(const Context& ctx, const std::string& key, const toml::node& n,
                                                       std::string_view noun);
/// Dotted decimal object identifier: first arc 0-2, at least two arcs, no leading zeros.
bool isOid(std::string_view s);
std::optional<std::vector<std::string>> getKeyIds(const Context& ctx, std::string_view key, const toml::node& n);

} // namespace cpslock::policy::detail
