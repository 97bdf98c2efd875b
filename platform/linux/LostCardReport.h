#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace cpslock::platform {

/// Where the tray drops lost-card reports: created by the installer as root, mode 1777 (sticky,
/// world-writable, readable by user-run lockers). Policy key `trust.lost_reports_dir`.
inline constexpr std::string_view kDefaultLostReportsDir = "/var/lib/cpslock/lost";

/// A card the user reported lost or stolen.
struct LostCardEntry {
    std::string serial;     ///< card serial (EF.SN.ICC digits); required
    std::string certSha256; ///< authentication certificate SHA-256 (hex, ':' and case tolerated); may be empty
    std::string user;       ///< the local account that reported it (comment only)
    std::chrono::system_clock::time_point when{};
};

struct LostCardReportResult {
    bool ok = false;
    bool alreadyReported = false; ///< this user had already dropped the same report
    std::string path;             ///< the file written (or found), when ok
    std::string error;            ///< why not, when !ok (names the folder or the field)
};

/// `<serial>-<first 16 hex of the sha256>.deny`, or `<serial>-nocert.deny` without a fingerprint.
/// Empty when the entry is invalid (see lostCardReportError).
std::string lostCardReportFileName(const LostCardEntry& entry);

/// Empty when the entry can be written; else what is wrong with it.
std::string lostCardReportError(const LostCardEntry& entry);

/// The file content, in the deny-list format of docs/denylist.md: '#' comment lines (user, date,
/// origin) then `serial:` and, when known, `sha256:` lines.
std::string lostCardReportContent(const LostCardEntry& entry);

/// Writes the report into `dir` (O_CREAT|O_EXCL|O_NOFOLLOW, mode 0644). A report only adds refusals,
/// so a name already taken is never overwritten: if the existing file is this user's own regular file,
/// the card counts as already reported; otherwise (someone else's file under that name) the report
/// goes to `<name>-2.deny`, `-3`... up to 9.
LostCardReportResult writeLostCardReport(const std::string& dir, const LostCardEntry& entry);

} // namespace cpslock::platform
