// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <optional>
#include <string_view>

namespace cpslock::agent {

/// True when `journalStream` (the JOURNAL_STREAM variable, "device:inode") names the file `fd` is
/// open on: systemd sets it for a service whose stderr is the journal, so the program may log
/// natively (a priority per line) instead of writing lines the journal takes at one priority. A
/// stale value (stderr redirected since) does not match.
bool isJournalStream(std::optional<std::string_view> journalStream, int fd);

/// The agent's logger: spdlog's systemd sink (identifier "cpslock-agent", spdlog level → syslog
/// priority) when stderr is the journal's stream, stderr lines otherwise. `journald` says which.
std::shared_ptr<spdlog::logger> makeAgentLogger(bool verbose, bool* journald = nullptr);

} // namespace cpslock::agent
