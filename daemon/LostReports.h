// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Result.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace cpslock::daemon {

/// Cards reported lost or stolen from a session (tray, `cpslock report-lost`), kept in cpslockd's own
/// state folder, which no session user can write. A report only ever adds a refusal: there is no
/// request that removes one (an administrator edits the file, see docs/admin.md).
///
/// File: one report per line, `SERIAL UID EPOCH`, rewritten atomically (temporary file + rename).
class LostReports {
public:
    /// Reports one non-root account may hold (root: no limit). A flood from one account stops here.
    static constexpr std::size_t kPerUserQuota = 20;
    /// Reports in all; beyond it new reports are refused, old ones are never dropped.
    static constexpr std::size_t kMaxReports = 10000;
    /// Largest file read at start.
    static constexpr std::size_t kMaxFileSize = std::size_t{1024} * 1024U;

    explicit LostReports(std::string file) : m_file(std::move(file)) {}

    /// Reads the file; a missing file is an empty store. Any other failure (unreadable, too big,
    /// a malformed line) is an error naming file:line, and the store refuses every card (usable() false).
    Result<void> load();
    bool usable() const { return m_usable; }

    bool isReported(const std::string& serial) const;

    enum class AddStatus { Added, AlreadyReported, QuotaExceeded, Full, WriteFailed };
    /// Adds and saves; on a write failure the report stays in memory (it still refuses) and the
    /// status says so.
    AddStatus add(const std::string& serial, uid_t reporter, std::int64_t epochSeconds);

    std::size_t size() const { return m_reports.size(); }

private:
    struct Report {
        uid_t reporter = 0;
        std::int64_t epoch = 0;
    };
    bool save() const;

    std::string m_file;
    std::map<std::string, Report> m_reports; ///< by serial without leading zeros
    std::map<uid_t, std::size_t> m_perUser;
    bool m_usable = true;
};

/// A serial with its leading zeros dropped (EF.SN.ICC and typed serials compare equal).
std::string canonicalSerial(const std::string& serial);

} // namespace cpslock::daemon
