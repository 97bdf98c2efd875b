// SPDX-License-Identifier: EUPL-1.2
// The public side of the loader and the reading of policy files. The pieces: PolicyText (helpers),
// PolicyValues and PolicySchema/PolicyAccountsSchema (what each key accepts), PolicyWalker (one
// document), PolicyChecks (the merged result).
#include "core/policy/PolicyLoader.h"

#include "core/policy/PolicyChecks.h"
#include "core/policy/PolicyText.h"
#include "core/policy/PolicyWalker.h"

#include <algorithm>
#include <filesystem>
#include <utility>

namespace cpslock::policy {

using detail::shown;

namespace {

std::pair<std::string, std::string> splitPath(const std::string& path) {
    const std::filesystem::path p(path);
    std::string dir = p.parent_path().string();
    if (dir.empty())
        dir = ".";
    return {dir, p.filename().string()};
}

/// What loadPolicy read, and what it could not (diagnostics on whole files).
struct ReadFiles {
    std::vector<PolicyDocument> documents;
    std::vector<Diagnostic> diagnostics;
    std::vector<std::string> fileOrder;

    void fileError(const std::string& file, std::string message) {
        diagnostics.push_back({Diagnostic::Severity::Error, {file, 0, 0}, std::move(message)});
    }
    void fileNote(const std::string& file, std::string message) {
        diagnostics.push_back({Diagnostic::Severity::Note, {file, 0, 0}, std::move(message)});
    }
};

SecureDirectory readMainFile(const PolicyLocation& location, const LoadOptions& options, ReadFiles& read) {
    const auto [mainDir, mainName] = splitPath(location.mainFile);
    SecureDirectory mainFolder = SecureDirectory::open(mainDir, options.security);
    if (mainFolder.status() == SecureDirectory::Status::Refused) {
        read.fileError(mainDir, mainFolder.error());
    } else if (mainFolder.status() == SecureDirectory::Status::Missing || mainName.empty()) {
        if (location.mainFileRequired)
            read.fileError(location.mainFile, mainName.empty() ? "not a file name" : "cannot open: folder does not exist");
    } else {
        SecureFileRead file = readSecureFile(mainFolder, mainName, options.security, options.maxFileSize);
        if (file.status == SecureFileRead::Status::Ok)
            read.documents.push_back({location.mainFile, std::move(file.content)});
        else if (file.status == SecureFileRead::Status::Refused || location.mainFileRequired)
            read.fileError(location.mainFile, file.error);
    }
    if (read.documents.empty() && read.diagnostics.empty())
        read.fileNote(location.mainFile, "no main policy file: built-in defaults apply");
    return mainFolder;
}

void readDropIns(const PolicyLocation& location, const LoadOptions& options, const SecureDirectory& mainFolder,
                 ReadFiles& read) {
    const SecureDirectory dropIns = SecureDirectory::open(location.dropInDir, options.security);
    if (dropIns.status() == SecureDirectory::Status::Refused) {
        read.fileError(location.dropInDir, dropIns.error());
        return;
    }
    if (dropIns.status() != SecureDirectory::Status::Ok)
        return;
    DropInListing entries = listDropIns(dropIns);
    // --policy-dir pointing at the main file's own folder must not apply the main file twice.
    if (isSameFolder(mainFolder, dropIns))
        std::erase(entries.policyFiles, splitPath(location.mainFile).second);
    if (!entries.error.empty())
        read.fileError(location.dropInDir, entries.error);
    if (entries.policyFiles.size() > options.maxDropIns) {
        read.fileError(location.dropInDir, "too many drop-in files (" + std::to_string(entries.policyFiles.size()) +
                                               ", at most " + std::to_string(options.maxDropIns) + ")");
    } else {
        for (const std::string& name : entries.policyFiles) {
            const std::string path = (std::filesystem::path(location.dropInDir) / name).string();
            read.fileOrder.push_back(path);
            SecureFileRead file = readSecureFile(dropIns, name, options.security, options.maxFileSize);
            if (file.status == SecureFileRead::Status::Ok)
                read.documents.push_back({path, std::move(file.content)});
            else if (file.status == SecureFileRead::Status::Refused)
                read.fileError(path, file.error);
            // Missing: deleted since the listing; the watcher will report the change.
        }
    }
    for (const std::string& name : entries.ignored) {
        read.fileNote((std::filesystem::path(location.dropInDir) / name).string(),
                      "ignored: only *.toml files not starting with '.' are read");
    }
}

} // namespace

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
bool isError(const Diagnostic& d) { return d.severity == Diagnostic::Severity::Error; }
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

bool LoadResult::ok() const { return errorCount() == 0; }

std::size_t LoadResult::errorCount() const { return policy::errorCount(diagnostics); }

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
        location.dropInDir = (main.parent_path().empty() ? std::filesystem::path(".") : main.parent_path()) / "policy.d";
    }
    return location;
}

LoadResult parsePolicyDocuments(std::span<const PolicyDocument> documents, const LoadOptions& options) {
    LoadResult result;
    detail::applyDocuments(documents, result);
    detail::finish(result, options, result.files);
    return result;
}

LoadResult loadPolicy(const PolicyLocation& location, const LoadOptions& options) {
    ReadFiles read;
    read.fileOrder = {location.mainFile, splitPath(location.mainFile).first, location.dropInDir};
    const SecureDirectory mainFolder = readMainFile(location, options, read);
    readDropIns(location, options, mainFolder, read);

    // Parse even when a file was refused, so that one run reports everything there is to fix.
    LoadResult result;
    detail::applyDocuments(read.documents, result);
    result.diagnostics.insert(result.diagnostics.begin(), read.diagnostics.begin(), read.diagnostics.end());
    detail::finish(result, options, read.fileOrder);
    return result;
}

} // namespace cpslock::policy
