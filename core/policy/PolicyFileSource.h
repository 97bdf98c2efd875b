// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Result.h"
#include "core/policy/PolicyLoader.h"

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace cpslock::policy {

/// The limits loadPolicy hands to the source (from LoadOptions).
struct ReadLimits {
    std::size_t maxFileSize = 0; ///< a larger file is refused, not truncated
    std::size_t maxDropIns = 0;  ///< more drop-in files than this: none is read
};

/// What a PolicyFileSource read for one PolicyLocation, and what it could not.
struct PolicyFilesRead {
    std::vector<PolicyDocument> documents; ///< in the order they apply
    std::vector<Diagnostic> diagnostics;   ///< on whole files (line 0): refusals, notes
    std::vector<std::string> fileOrder;    ///< files and folders in the order their diagnostics sort

    void fileError(const std::string& file, std::string message) {
        diagnostics.push_back({Diagnostic::Severity::Error, {file, 0, 0}, std::move(message)});
    }
    void fileNote(const std::string& file, std::string message) {
        diagnostics.push_back({Diagnostic::Severity::Note, {file, 0, 0}, std::move(message)});
    }
};

/// Where the policy's files come from and how the paths it names are checked. The real one reads the
/// disk with the owner and mode rules (platform/linux/DiskPolicyFiles): core/ makes no OS call.
class PolicyFileSource {
public:
    virtual ~PolicyFileSource() = default;

    /// The main file, then the drop-ins of `location` in name order, refusing what may not be read.
    virtual PolicyFilesRead read(const PolicyLocation& location, const ReadLimits& limits) const = 0;

    /// Whether a path the policy names is usable: exists, of `kind`, readable (executable), owned
    /// as the files must be. Else why not.
    virtual Result<void> probe(const std::string& path, PathKind kind) const = 0;
};

} // namespace cpslock::policy
