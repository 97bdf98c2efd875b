// SPDX-License-Identifier: EUPL-1.2
// The public side of the loader. The pieces: PolicyText (helpers), PolicyValues and
// PolicySchema/PolicyAccountsSchema (what each key accepts), PolicyWalker (one document), PolicyChecks
// (the merged result). The files themselves come from a PolicyFileSource (platform/linux/DiskPolicyFiles).
#include "core/policy/PolicyLoader.h"

#include "core/policy/PolicyChecks.h"
#include "core/policy/PolicyFileSource.h"
#include "core/policy/PolicyText.h"
#include "core/policy/PolicyWalker.h"

#include <algorithm>
#include <filesystem>
#include <utility>

namespace cpslock::policy {

using detail::shown;

std::string SourceLocation::format() const {
    // A file name is bytes from a folder listing: escaped like any other untrusted text.
    const std::string name = shown(file, detail::kMaxPathLength);
    if (line == 0)
        return name;
    if (column == 0)
        return name + ":" + std::to_string(line);
    return name + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string Diagnostic::format() const {
    const char* label = severity == Severity::Error ? "error" : severity == Severity::Warning ? "warning" : "note";
    std::string out = where.file.empty() ? std::string("policy") : where.format();
    return out + ": " + label + ": " + message;
}

namespace {
bool isError(const Diagnostic& d) {
    return d.severity == Diagnostic::Severity::Error;
}
} // namespace

const Diagnostic* firstError(std::span<const Diagnostic> diagnostics) {
    const auto it = std::find_if(diagnostics.begin(), diagnostics.end(), isError);
    return it == diagnostics.end() ? nullptr : &*it;
}

std::size_t errorCount(std::span<const Diagnostic> diagnostics) {
    return static_cast<std::size_t>(std::count_if(diagnostics.begin(), diagnostics.end(), isError));
}

std::vector<std::string> errorLines(std::span<const Diagnostic> diagnostics) {
    std::vector<std::string> lines;
    for (const Diagnostic& d : diagnostics) {
        if (isError(d))
            lines.push_back(d.format());
    }
    return lines;
}

bool LoadResult::ok() const {
    return errorCount() == 0;
}

std::size_t LoadResult::errorCount() const {
    return policy::errorCount(diagnostics);
}

PolicyLocation resolvePolicyLocation(const std::optional<std::string>& fileOption,
                                     const std::optional<std::string>& dirOption,
                                     const std::optional<std::string>& environment) {
    PolicyLocation location;
    if (fileOption) {
        location.mainFile = *fileOption;
        location.mainFileRequired = true;
    } else if (environment && !environment->empty()) {
        location.mainFile = *environment;
        location.mainFileRequired = true;
    }
    if (dirOption) {
        location.dropInDir = *dirOption;
    } else {
        const std::filesystem::path main(location.mainFile);
        location.dropInDir =
            (main.parent_path().empty() ? std::filesystem::path(".") : main.parent_path()) / "policy.d";
    }
    return location;
}

LoadResult parsePolicyDocuments(std::span<const PolicyDocument> documents, const PathProbe& probe,
                                const LoadOptions& options) {
    LoadResult result;
    detail::applyDocuments(documents, result);
    detail::finish(result, probe, options, result.files);
    return result;
}

LoadResult loadPolicy(const PolicyLocation& location, const PolicyFileSource& files, const LoadOptions& options) {
    const PolicyFilesRead read = files.read(location, {options.maxFileSize, options.maxDropIns});

    // Parse even when a file was refused, so that one run reports everything there is to fix.
    LoadResult result;
    detail::applyDocuments(read.documents, result);
    result.diagnostics.insert(result.diagnostics.begin(), read.diagnostics.begin(), read.diagnostics.end());
    const PathProbe probe = [&files](const std::string& path, PathKind kind) { return files.probe(path, kind); };
    detail::finish(result, probe, options, read.fileOrder);
    return result;
}

} // namespace cpslock::policy
