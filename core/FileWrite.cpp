// SPDX-License-Identifier: EUPL-1.2
#include "core/FileWrite.h"

#include "core/WriteAll.h"

#include <cerrno>
#include <cstring>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cpslock {
namespace {

Error failure(const std::string& path, const char* what) {
    return fail(path + ": " + what + ": " + std::strerror(errno));
}

/// Gives the temporary file its mode and content, on disk, and closes it whatever happened.
Result<void> fillAndClose(int fd, const std::string& temp, std::string_view content, mode_t mode) {
    Result<void> filled;
    if (fchmod(fd, mode) != 0)
        filled = failure(temp, "chmod");
    else if (!writeAll(fd, content, WriteCall::Write))
        filled = failure(temp, "write");
    else if (fsync(fd) != 0)
        filled = failure(temp, "fsync");
    if (close(fd) != 0 && filled)
        filled = failure(temp, "close");
    return filled;
}

} // namespace

Result<void> writeFileAtomically(const std::string& path, std::string_view content, mode_t mode) {
    const std::size_t slash = path.rfind('/');
    const std::string folder = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    std::string temp = folder + "/." + name + ".XXXXXX";
    std::vector<char> buffer(temp.begin(), temp.end());
    buffer.push_back('\0');
    const int fd = mkostemp(buffer.data(), O_CLOEXEC);
    if (fd < 0)
        return failure(temp, "cannot create a temporary file");
    temp.assign(buffer.data());
    Result<void> written = fillAndClose(fd, temp, content, mode);
    if (written && rename(temp.c_str(), path.c_str()) != 0)
        written = failure(path, "rename");
    if (!written) {
        unlink(temp.c_str());
        return written;
    }
    // The rename is durable only once the folder's entry is on disk.
    const int dir = open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        fsync(dir);
        close(dir);
    }
    return {};
}

} // namespace cpslock
