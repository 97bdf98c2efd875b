// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "card/CrlFile.h"
#include "core/Result.h"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace cpslock::card {

/// What became of one downloaded CRL.
struct CrlInstallOutcome {
    enum class Result {
        Installed, ///< newer than every installed CRL of its CA: written to `file`
        Unchanged, ///< the same CRL (or one as recent) is already installed
        Refused,   ///< not installed; `detail` says why, the installed CRLs stay as they were
    };
    Result result = Result::Refused;
    std::string caSubject;      ///< the CA that signed it, once known
    std::filesystem::path file; ///< the file written (Installed) or the newest installed one
    std::string detail;         ///< why refused; else thisUpdate / nextUpdate / cRLNumber
    std::optional<std::chrono::system_clock::time_point> thisUpdate;
    std::optional<std::chrono::system_clock::time_point> nextUpdate;
    bool expired = false; ///< its nextUpdate has passed: installed if newer, still a failure
};

/// Installs downloaded CRLs into the revocation check's folder (trust.crl_dir), never making it
/// worse: a CRL is written only when it parses, is signed by one of the trusted CA certificates, is
/// a full CRL (not a delta) and is newer than every CRL of the same CA already there (cRLNumber,
/// else thisUpdate: an older one is a replay or a lagging mirror). The write is atomic
/// (core/FileWrite), mode 0644: cpslockd's worker reads it as its own user.
class CrlInstaller {
public:
    /// `cas`: every CA certificate that may sign a CRL (the anchors folder's roots and
    /// intermediates); they must outlive the installer.
    CrlInstaller(std::filesystem::path folder, std::vector<const X509*> cas);

    /// `fileName`: the name to write (a plain name, no '/'); empty: "<signer key id>.crl".
    CrlInstallOutcome install(std::span<const std::uint8_t> downloaded, const std::string& fileName,
                              std::chrono::system_clock::time_point now) const;

private:
    /// Where the CRL goes: `fileName` (or "<signer key id>.crl") in the folder, unless that file holds
    /// another CA's CRL.
    Result<std::filesystem::path> targetFile(const std::string& fileName, const X509* signer,
                                             const std::vector<CrlFile>& installed) const;

    std::filesystem::path m_folder;
    std::vector<const X509*> m_cas;
};

/// The subject key identifier of a certificate, upper-case hex (empty when it has none).
std::string subjectKeyIdHex(const X509* cert);

} // namespace cpslock::card
