// SPDX-License-Identifier: EUPL-1.2
#pragma once

// The policy files read from disk for real, the paths the policy names checked by a test's probe:
// the files those policies name need not exist on the test machine.

#include "core/policy/PolicyFileSource.h"
#include "platform/linux/DiskPolicyFiles.h"

#include <utility>

namespace cpslock::policy::testing {

class ProbedDiskFiles final : public PolicyFileSource {
public:
    ProbedDiskFiles(platform::FileSecurity security, PathProbe probe) : m_disk(security), m_probe(std::move(probe)) {}

    PolicyFilesRead read(const PolicyLocation& location, const ReadLimits& limits) const override {
        return m_disk.read(location, limits);
    }
    Result<void> probe(const std::string& path, PathKind kind) const override { return m_probe(path, kind); }

private:
    platform::DiskPolicyFiles m_disk;
    PathProbe m_probe;
};

} // namespace cpslock::policy::testing
