// SPDX-License-Identifier: EUPL-1.2
#pragma once

// Real files for the policy tests: a private folder under /tmp, removed afterwards.

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace cpslock::policy::testing {

class TempPolicyDir {
public:
    TempPolicyDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "cpslock-policy-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr)
            throw std::runtime_error("mkdtemp failed");
        m_path = tmpl;
        ::chmod(m_path.c_str(), 0755);
    }
    ~TempPolicyDir() {
        std::error_code ec;
        std::filesystem::remove_all(m_path, ec);
    }
    TempPolicyDir(const TempPolicyDir&) = delete;
    TempPolicyDir& operator=(const TempPolicyDir&) = delete;

    const std::string& path() const { return m_path; }
    std::string at(const std::string& relative) const { return m_path + "/" + relative; }

    /// Writes a file with an explicit mode (the umask must not decide what a test checks).
    std::string write(const std::string& relative, const std::string& content, mode_t mode = 0644) const {
        const std::string p = at(relative);
        {
            std::ofstream out(p, std::ios::binary | std::ios::trunc);
            out << content;
        }
        ::chmod(p.c_str(), mode);
        return p;
    }

    std::string mkdir(const std::string& relative, mode_t mode = 0755) const {
        const std::string p = at(relative);
        std::filesystem::create_directories(p);
        ::chmod(p.c_str(), mode);
        return p;
    }

private:
    std::string m_path;
};

inline bool runningAsRoot() {
    return ::geteuid() == 0;
}

} // namespace cpslock::policy::testing
