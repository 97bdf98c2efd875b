// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Result.h"
#include "core/policy/Policy.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cpslock::policy {

class PolicyFileSource;

enum class PathKind { Directory, File, Executable };

/// Checks a path the policy names (trust anchors, PKCS#11 module...): usable, else why not.
using PathProbe = std::function<Result<void>(const std::string& path, PathKind kind)>;

/// A place in a policy file. line 0 means the whole file (it could not be opened or parsed);
/// column 0 a whole line (files named by the policy, such as the deny-list).
struct SourceLocation {
    std::string file;
    std::uint32_t line = 0;
    std::uint32_t column = 0;
    std::string format() const; ///< "file:line:column", "file:line" or "file"
    bool operator==(const SourceLocation&) const = default;
};

struct Diagnostic {
    enum class Severity { Error, Warning, Note };
    Severity severity = Severity::Error;
    SourceLocation where;
    std::string message;
    /// "/etc/cpslock/policy.d/10-site.toml:12:5: error: unknown key ..." (one line).
    std::string format() const;
};

/// The first error of `diagnostics`, nullptr when there is none: what a one-line refusal names.
const Diagnostic* firstError(std::span<const Diagnostic> diagnostics);
std::size_t errorCount(std::span<const Diagnostic> diagnostics);
/// Every error of `diagnostics` formatted (Diagnostic::format), in order: what a refusal lists.
std::vector<std::string> errorLines(std::span<const Diagnostic> diagnostics);

/// Where the policy is read from: one main file, then every *.toml of the drop-in folder in name
/// order, later files overriding earlier ones key by key.
struct PolicyLocation {
    std::string mainFile{kDefaultPolicyFile};
    std::string dropInDir = "/etc/cpslock/policy.d";
    /// A missing main file is an error when it was named explicitly, else built-in defaults apply.
    bool mainFileRequired = false;
};

/// The one rule for every program: --policy FILE, else `environment` (CPSLOCK_POLICY, which only
/// the CLI and tests should pass), else /etc/cpslock/policy.toml; --policy-dir DIR, else the
/// folder "policy.d" next to the main file.
PolicyLocation resolvePolicyLocation(const std::optional<std::string>& fileOption,
                                     const std::optional<std::string>& dirOption,
                                     const std::optional<std::string>& environment);

struct LoadOptions {
    std::size_t maxFileSize = std::size_t{256} * 1024U; ///< larger policy files are refused
    std::size_t maxDropIns = 100;
    /// Deeper checks of the files the policy names, by parsers core cannot depend on (the
    /// deny-list and trust-anchor readers of card/). Called, once the policy is otherwise valid
    /// and the path passed the probe, with "trust.denylist" or "trust.anchors_dir" and the path.
    /// Returns errors, each "path:line: message" or a plain message. Empty = no such check.
    std::function<std::vector<std::string>(const std::string& key, const std::string& path)> contentCheck;
};

/// Where each effective value came from, by dotted key ("session.idle_timeout",
/// "accounts.holders.810002813839"). A key that is absent kept its built-in default.
using Provenance = std::map<std::string, SourceLocation>;

struct LoadResult {
    Policy policy; ///< the effective policy; use it only when ok()
    Provenance provenance;
    std::vector<std::string> files;      ///< policy files read, in the order applied
    std::vector<Diagnostic> diagnostics; ///< errors first by file, then warnings and notes
    bool ok() const;
    std::size_t errorCount() const;
};

/// One policy text and the name used in its diagnostics.
struct PolicyDocument {
    std::string name;
    std::string text;
};

/// Parses and merges `documents` in order; checks the paths they name with `probe` only.
/// Never throws: garbage of any kind becomes diagnostics.
LoadResult parsePolicyDocuments(std::span<const PolicyDocument> documents, const PathProbe& probe,
                                const LoadOptions& options = {});

/// Reads the files `location` names through `files` (which refuses insecure, oversized,
/// non-regular or symlinked files and folders), then merges them as parsePolicyDocuments does.
/// Never throws.
LoadResult loadPolicy(const PolicyLocation& location, const PolicyFileSource& files, const LoadOptions& options = {});

/// Every key the loader accepts, dotted; the items of [[accounts.shared]] as "accounts.shared.user"...
std::vector<std::string> knownPolicyKeys();

/// Keys that are refused on purpose, each with the reason the error message gives.
std::vector<std::pair<std::string, std::string>> refusedPolicyKeys();

} // namespace cpslock::policy
