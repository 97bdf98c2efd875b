// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/policy/PolicyFileSource.h"
#include "platform/linux/FileSecurity.h"

namespace cpslock::platform {

/// The policy files on disk: the main file, then the drop-ins in name order, each refused when it
/// is insecure (FileSecurity), oversized, not a regular file or a symlink, or in such a folder.
class DiskPolicyFiles final : public policy::PolicyFileSource {
public:
    explicit DiskPolicyFiles(FileSecurity security = {}) : m_security(security) {}

    policy::PolicyFilesRead read(const policy::PolicyLocation& location,
                                 const policy::ReadLimits& limits) const override;
    Result<void> probe(const std::string& path, policy::PathKind kind) const override;

private:
    SecureDirectory readMainFile(const policy::PolicyLocation& location, const policy::ReadLimits& limits,
                                 policy::PolicyFilesRead& read) const;
    void readDropIns(const policy::PolicyLocation& location, const policy::ReadLimits& limits,
                     const SecureDirectory& mainFolder, policy::PolicyFilesRead& read) const;

    FileSecurity m_security;
};

/// policy::loadPolicy with the files on disk owned by root: what every program that loads a policy calls.
policy::LoadResult loadPolicyFromDisk(const policy::PolicyLocation& location, const policy::LoadOptions& options = {});

} // namespace cpslock::platform
