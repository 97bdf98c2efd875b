// SPDX-License-Identifier: EUPL-1.2
#pragma once

// The POSIX side of the policy loader: the folders and files opened without following symlinks and
// checked for owner and mode before a byte is read (DiskPolicyFiles uses it).

#include "core/Result.h"
#include "core/policy/PolicyLoader.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cpslock::platform {

/// sshd-StrictModes-like rules for the policy files and their folders: owned by the expected
/// owner (root in production, injected by tests that cannot create root-owned files... and by
/// those that can, to exercise a mismatch) and writable by nobody else.
struct FileSecurity {
    std::uint32_t expectedOwner = 0;

    /// Whether a file or folder with this owner and st_mode is acceptable, else why not.
    Result<void> checkOwnership(std::uint32_t uid, std::uint32_t mode) const;
};

/// A folder held open so that the files in it are opened relative to the checked folder
/// (no path re-walk between the check and the read).
class SecureDirectory {
public:
    enum class Status { Ok, Missing, Refused };

    /// Opens `path` without following a final symlink and checks it with `security`.
    static SecureDirectory open(const std::string& path, const FileSecurity& security);

    SecureDirectory(SecureDirectory&& other) noexcept;
    SecureDirectory& operator=(SecureDirectory&& other) noexcept;
    SecureDirectory(const SecureDirectory&) = delete;
    SecureDirectory& operator=(const SecureDirectory&) = delete;
    ~SecureDirectory();

    Status status() const { return m_status; }
    const std::string& error() const { return m_error; }
    int fd() const { return m_fd; }

private:
    SecureDirectory(int fd, Status status, std::string error);
    int m_fd = -1;
    Status m_status = Status::Refused;
    std::string m_error;
};

/// Why a policy file was not read. A missing file may be fine (the default main file, a drop-in
/// deleted since the listing); a refused one never is.
struct FileRefusal {
    enum class Kind { Missing, Refused };
    Kind kind = Kind::Refused;
    std::string message;
};

/// Reads `name` in `dir`: regular file, not a symlink, checked ownership and mode, at most
/// `maxSize` bytes (a larger file is refused, not truncated).
Result<std::string, FileRefusal> readSecureFile(const SecureDirectory& dir, const std::string& name,
                                                const FileSecurity& security, std::size_t maxSize);

/// The entries of a drop-in folder: *.toml files not starting with '.', in name order, and the rest.
struct DropInListing {
    std::vector<std::string> policyFiles;
    std::vector<std::string> ignored;
};
/// The listing, or why the folder could not be listed.
Result<DropInListing> listDropIns(const SecureDirectory& dir);

/// True when both folders are open and are the same folder (device and inode).
bool isSameFolder(const SecureDirectory& a, const SecureDirectory& b);

/// Whether a path the policy names is usable: exists, of `kind`, readable (executable), and
/// owned as `security` requires. Else why not.
Result<void> probeRealPath(const std::string& path, policy::PathKind kind, const FileSecurity& security);

} // namespace cpslock::platform
