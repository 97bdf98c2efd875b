// SPDX-License-Identifier: EUPL-1.2
#include "daemon/LostReports.h"

#include "core/FileRead.h"
#include "protocol/Request.h"

#include <cstdio>
#include <fstream>
#include <sstream>

namespace cpslock::daemon {

std::string canonicalSerial(const std::string& serial) {
    const auto first = serial.find_first_not_of('0');
    return first == std::string::npos ? std::string("0") : serial.substr(first);
}

Result<void> LostReports::load() {
    m_reports.clear();
    m_perUser.clear();
    m_usable = false;
    const auto read = readRegularFile(m_file, kMaxFileSize);
    if (!read) {
        if (read.error().missing()) {
            m_usable = true;
            return {};
        }
        return fail(m_file + ": " + read.error().message);
    }
    const std::string& text = *read;
    std::istringstream lines(text);
    std::string line;
    for (std::size_t number = 1; std::getline(lines, line); ++number) {
        if (line.empty())
            continue;
        std::istringstream words(line);
        std::string serial;
        long long uid = -1;
        long long epoch = -1;
        std::string extra;
        if (!(words >> serial >> uid >> epoch) || (words >> extra) || !protocol::validSerial(serial) || uid < 0 ||
            epoch < 0 || m_reports.size() >= kMaxReports) {
            m_reports.clear();
            m_perUser.clear();
            return fail(m_file + ":" + std::to_string(number) + ": not \"SERIAL UID EPOCH\"");
        }
        if (m_reports.emplace(canonicalSerial(serial), Report{static_cast<uid_t>(uid), epoch}).second)
            ++m_perUser[static_cast<uid_t>(uid)];
    }
    m_usable = true;
    return {};
}

bool LostReports::isReported(const std::string& serial) const {
    return m_reports.count(canonicalSerial(serial)) != 0;
}

LostReports::AddStatus LostReports::add(const std::string& serial, uid_t reporter, std::int64_t epochSeconds) {
    const std::string key = canonicalSerial(serial);
    if (m_reports.count(key))
        return AddStatus::AlreadyReported;
    if (reporter != 0 && m_perUser[reporter] >= kPerUserQuota)
        return AddStatus::QuotaExceeded;
    if (m_reports.size() >= kMaxReports)
        return AddStatus::Full;
    m_reports.emplace(key, Report{reporter, epochSeconds});
    ++m_perUser[reporter];
    return save() ? AddStatus::Added : AddStatus::WriteFailed;
}

bool LostReports::save() const {
    const std::string temporary = m_file + ".new";
    std::ofstream out(temporary, std::ios::trunc);
    for (const auto& [serial, report] : m_reports)
        out << serial << ' ' << report.reporter << ' ' << report.epoch << '\n';
    out.flush();
    if (!out)
        return false;
    out.close();
    return std::rename(temporary.c_str(), m_file.c_str()) == 0;
}

} // namespace cpslock::daemon
