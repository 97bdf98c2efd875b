#include "platform/linux/LostCardReport.h"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cpslock::platform {

namespace {

bool allDigits(std::string_view s) {
    for (const char c : s) {
        if (c < '0' || c > '9')
            return false;
    }
    return true;
}

/// Lower-case hex without ':' separators; empty when it is not 64 hex digits.
std::string normalisedSha256(std::string_view in) {
    std::string out;
    for (const char c : in) {
        if (c == ':')
            continue;
        if (c >= '0' && c <= '9')
            out += c;
        else if (c >= 'a' && c <= 'f')
            out += c;
        else if (c >= 'A' && c <= 'F')
            out += static_cast<char>(c - 'A' + 'a');
        else
            return {};
    }
    return out.size() == 64 ? out : std::string{};
}

/// The user name goes into a comment and a reason: keep it to one harmless line.
std::string safeUser(std::string_view user) {
    std::string out;
    for (const char c : user) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                        c == '_' || c == '-' || c == '@';
        out += ok ? c : '?';
    }
    return out.empty() ? std::string("?") : out.substr(0, 64);
}

std::tm utc(std::chrono::system_clock::time_point t) {
    const std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    return tm;
}

std::string isoDate(std::chrono::system_clock::time_point t) {
    const std::tm tm = utc(t);
    char buf[32];
    return std::string(buf, std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm));
}

std::string isoTime(std::chrono::system_clock::time_point t) {
    const std::tm tm = utc(t);
    char buf[32];
    return std::string(buf, std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm));
}

bool writeAll(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

std::string sysError(const std::string& what) {
    return what + ": " + std::strerror(errno);
}

} // namespace

std::string lostCardReportError(const LostCardEntry& entry) {
    if (entry.serial.empty() || entry.serial.size() > 20 || !allDigits(entry.serial))
        return "card serial must be 1 to 20 decimal digits, got '" + safeUser(entry.serial) + "'";
    if (!entry.certSha256.empty() && normalisedSha256(entry.certSha256).empty())
        return "certificate sha256 must be 64 hex digits";
    return {};
}

std::string lostCardReportFileName(const LostCardEntry& entry) {
    if (!lostCardReportError(entry).empty())
        return {};
    const std::string sha = normalisedSha256(entry.certSha256);
    return entry.serial + "-" + (sha.empty() ? std::string("nocert") : sha.substr(0, 16)) + ".deny";
}

std::string lostCardReportContent(const LostCardEntry& entry) {
    const std::string user = safeUser(entry.user);
    const std::string date = isoDate(entry.when);
    const std::string reason = "  " + date + "  reported lost from the tray by " + user + "\n";
    std::string out;
    out += "# cpslock: card reported lost or stolen from the tray\n";
    out += "# user: " + user + "\n";
    out += "# date: " + isoTime(entry.when) + "\n";
    out += "# An administrator lifts this block by deleting this file (docs/admin.md).\n";
    out += "serial:" + entry.serial + reason;
    if (const std::string sha = normalisedSha256(entry.certSha256); !sha.empty())
        out += "sha256:" + sha + reason;
    return out;
}

LostCardReportResult writeLostCardReport(const std::string& dir, const LostCardEntry& entry) {
    LostCardReportResult result;
    if (const std::string why = lostCardReportError(entry); !why.empty()) {
        result.error = why;
        return result;
    }
    const int dirFd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirFd < 0) {
        result.error = sysError(dir);
        return result;
    }
    const std::string base = lostCardReportFileName(entry);
    const std::string stem = base.substr(0, base.size() - 5); // without ".deny"
    const std::string content = lostCardReportContent(entry);
    for (int attempt = 1; attempt <= 9; ++attempt) {
        const std::string name = attempt == 1 ? base : stem + "-" + std::to_string(attempt) + ".deny";
        const int fd = ::openat(dirFd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0 && errno == EEXIST) {
            // Ours from an earlier report: done. Someone else's (or a link) under that name: next name.
            const int existing = ::openat(dirFd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
            struct stat st {};
            const bool mine = existing >= 0 && ::fstat(existing, &st) == 0 && S_ISREG(st.st_mode) &&
                              st.st_uid == ::geteuid() && st.st_size > 0;
            if (existing >= 0)
                ::close(existing);
            if (mine) {
                result.ok = true;
                result.alreadyReported = true;
                result.path = dir + "/" + name;
                ::close(dirFd);
                return result;
            }
            continue;
        }
        if (fd < 0) {
            result.error = sysError(dir + "/" + name);
            ::close(dirFd);
            return result;
        }
        // The umask must not decide who can read the report: root's reader only needs it readable.
        const bool written = ::fchmod(fd, 0644) == 0 && writeAll(fd, content) && ::fsync(fd) == 0;
        const std::string error = written ? std::string{} : sysError(dir + "/" + name);
        if (::close(fd) != 0 || !written) {
            ::unlinkat(dirFd, name.c_str(), 0);
            result.error = error.empty() ? sysError(dir + "/" + name) : error;
            ::close(dirFd);
            return result;
        }
        result.ok = true;
        result.path = dir + "/" + name;
        ::close(dirFd);
        return result;
    }
    ::close(dirFd);
    result.error = dir + "/" + stem + "*.deny: every name is taken by another user's file";
    return result;
}

} // namespace cpslock::platform
