// SPDX-License-Identifier: EUPL-1.2
#include "core/FileWrite.h"

#include <cerrno>
#include <cstring>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cpslock {
namespace {

std::string failure(const std::string& path, const char* what) {
    return path + ": " + what + ": " + std::strerror(errno);
}

bool writeAll(int fd, std::string_view content) {
    while (!content.empty()) {
        const ssize_t n = write(fd, content.data(), content.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        content.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

} // namespace

std::optional<std::string> writeFileAtomically(const std::string& path, std::string_view content, mode_t mode) {
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
    std::optional<std::string> error;
    if (fchmod(fd, mode) != 0)
        error = failure(temp, "chmod");
    else if (!writeAll(fd, content))
        error = failure(temp, "write");
    else if (fsync(fd) != 0)
        error = failure(temp, "fsync");
    if (close(fd) != 0 && !error)
        error = failure(temp, "close");
    if (!error && rename(temp.c_str(), path.c_str()) != 0)
        error = failure(path, "rename");
    if (error) {
        unlink(temp.c_str());
        return error;
    }
    // The rename is durable only once the folder's entry is on disk.
    const int dir = open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        fsync(dir);
        close(dir);
    }
    return std::nullopt;
}

} // namespace cpslock
