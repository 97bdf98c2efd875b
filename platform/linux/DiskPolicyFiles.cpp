// SPDX-License-Identifier: EUPL-1.2
#include "platform/linux/DiskPolicyFiles.h"

#include <algorithm>
#include <filesystem>
#include <utility>

namespace cpslock::platform {

using policy::PolicyFilesRead;
using policy::PolicyLocation;
using policy::ReadLimits;

namespace {

std::pair<std::string, std::string> splitPath(const std::string& path) {
    const std::filesystem::path p(path);
    std::string dir = p.parent_path().string();
    if (dir.empty())
        dir = ".";
    return {dir, p.filename().string()};
}

} // namespace

PolicyFilesRead DiskPolicyFiles::read(const PolicyLocation& location, const ReadLimits& limits) const {
    PolicyFilesRead read;
    read.fileOrder = {location.mainFile, splitPath(location.mainFile).first, location.dropInDir};
    const SecureDirectory mainFolder = readMainFile(location, limits, read);
    readDropIns(location, limits, mainFolder, read);
    return read;
}

Result<void> DiskPolicyFiles::probe(const std::string& path, policy::PathKind kind) const {
    return probeRealPath(path, kind, m_security);
}

SecureDirectory DiskPolicyFiles::readMainFile(const PolicyLocation& location, const ReadLimits& limits,
                                              PolicyFilesRead& read) const {
    const auto [mainDir, mainName] = splitPath(location.mainFile);
    SecureDirectory mainFolder = SecureDirectory::open(mainDir, m_security);
    if (mainFolder.status() == SecureDirectory::Status::Refused) {
        read.fileError(mainDir, mainFolder.error());
    } else if (mainFolder.status() == SecureDirectory::Status::Missing || mainName.empty()) {
        if (location.mainFileRequired)
            read.fileError(location.mainFile,
                           mainName.empty() ? "not a file name" : "cannot open: folder does not exist");
    } else {
        auto file = readSecureFile(mainFolder, mainName, m_security, limits.maxFileSize);
        if (file)
            read.documents.push_back({location.mainFile, std::move(file).value()});
        else if (file.error().kind == FileRefusal::Kind::Refused || location.mainFileRequired)
            read.fileError(location.mainFile, file.error().message);
    }
    if (read.documents.empty() && read.diagnostics.empty())
        read.fileNote(location.mainFile, "no main policy file: built-in defaults apply");
    return mainFolder;
}

void DiskPolicyFiles::readDropIns(const PolicyLocation& location, const ReadLimits& limits,
                                  const SecureDirectory& mainFolder, PolicyFilesRead& read) const {
    const SecureDirectory dropIns = SecureDirectory::open(location.dropInDir, m_security);
    if (dropIns.status() == SecureDirectory::Status::Refused) {
        read.fileError(location.dropInDir, dropIns.error());
        return;
    }
    if (dropIns.status() != SecureDirectory::Status::Ok)
        return;
    Result<DropInListing> listed = listDropIns(dropIns);
    if (!listed) {
        read.fileError(location.dropInDir, listed.error().message);
        return;
    }
    DropInListing& entries = *listed;
    // --policy-dir pointing at the main file's own folder must not apply the main file twice.
    if (isSameFolder(mainFolder, dropIns))
        std::erase(entries.policyFiles, splitPath(location.mainFile).second);
    if (entries.policyFiles.size() > limits.maxDropIns) {
        read.fileError(location.dropInDir, "too many drop-in files (" + std::to_string(entries.policyFiles.size()) +
                                               ", at most " + std::to_string(limits.maxDropIns) + ")");
    } else {
        for (const std::string& name : entries.policyFiles) {
            const std::string path = (std::filesystem::path(location.dropInDir) / name).string();
            read.fileOrder.push_back(path);
            auto file = readSecureFile(dropIns, name, m_security, limits.maxFileSize);
            if (file)
                read.documents.push_back({path, std::move(file).value()});
            else if (file.error().kind == FileRefusal::Kind::Refused)
                read.fileError(path, file.error().message);
            // Missing: deleted since the listing; the watcher will report the change.
        }
    }
    for (const std::string& name : entries.ignored) {
        read.fileNote((std::filesystem::path(location.dropInDir) / name).string(),
                      "ignored: only *.toml files not starting with '.' are read");
    }
}

policy::LoadResult loadPolicyFromDisk(const PolicyLocation& location, const policy::LoadOptions& options) {
    return policy::loadPolicy(location, DiskPolicyFiles{}, options);
}

} // namespace cpslock::platform
