// SPDX-License-Identifier: EUPL-1.2
#include "agent/AgentLogging.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>

#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>

namespace cpslock::agent {
namespace {

std::optional<unsigned long long> number(std::string_view s) {
    unsigned long long v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || s.empty())
        return std::nullopt;
    return v;
}

} // namespace

bool isJournalStream(std::optional<std::string_view> journalStream, int fd) {
    if (!journalStream)
        return false;
    const std::size_t colon = journalStream->find(':');
    if (colon == std::string_view::npos)
        return false;
    const auto dev = number(journalStream->substr(0, colon));
    const auto ino = number(journalStream->substr(colon + 1));
    struct stat st {};
    if (!dev || !ino || ::fstat(fd, &st) != 0)
        return false;
    return static_cast<unsigned long long>(st.st_dev) == *dev && static_cast<unsigned long long>(st.st_ino) == *ino;
}

std::shared_ptr<spdlog::logger> makeAgentLogger(bool verbose, bool* journald) {
    const char* stream = std::getenv("JOURNAL_STREAM");
    const bool native = isJournalStream(stream ? std::optional<std::string_view>(stream) : std::nullopt, STDERR_FILENO);
    std::shared_ptr<spdlog::logger> logger;
    if (native) {
        logger = spdlog::systemd_logger_mt("cpslock-agent", "cpslock-agent");
    } else {
        logger = spdlog::stderr_color_mt("cpslock-agent");
        logger->set_pattern("cpslock-agent: %l: %v");
    }
    logger->set_level(verbose ? spdlog::level::debug : spdlog::level::info);
    if (journald != nullptr)
        *journald = native;
    return logger;
}

} // namespace cpslock::agent
