// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cpslock::card {

/// One blocked card or certificate. Format: docs/denylist.md.
struct DenylistEntry {
    enum class Kind { CardSerial, CertificateSha256 };
    Kind kind = Kind::CardSerial;
    std::string value;  ///< card serial without leading zeros, or 64 lower-case hex digits
    std::string date;   ///< "YYYY-MM-DD" when given, else empty
    std::string reason; ///< free text after the date, may be empty
    std::string source; ///< "file:line", for logs
};

/// Local deny-list: cards reported lost or stolen, or certificates an admin wants refused even
/// when the CRL does not (yet) list them.
class Denylist {
public:
    struct ParseResult;

    /// The one size limit (the ANS open-data extract of opposed cards is a few hundred thousand lines).
    static constexpr std::uintmax_t kMaxFileSize = std::uintmax_t{16} * 1024U * 1024U;

    /// Parses the text; `sourceName` (usually the file path) prefixes every error as "name:line: ...".
    static ParseResult parse(std::string_view text, const std::string& sourceName);
    /// The only reader of a deny-list file: a missing, unreadable, symlinked, non-regular or over-long
    /// file is an error (never an empty list), as is any bad line.
    static ParseResult load(const std::filesystem::path& file);

    /// A card serial as entries store it (1 to 20 digits, leading zeros dropped); nullopt if not one.
    static std::optional<std::string> normaliseCardSerial(std::string_view serial);

    /// Card serial as read from EF.SN.ICC (decimal digits; leading zeros do not matter).
    const DenylistEntry* findCardSerial(std::string_view serial) const;
    /// Certificate SHA-256 fingerprint in hex (either case, colons allowed).
    const DenylistEntry* findCertificateSha256(std::string_view hex) const;

    const std::vector<DenylistEntry>& entries() const { return m_entries; }
    std::size_t size() const { return m_entries.size(); }
    bool empty() const { return m_entries.empty(); }

private:
    std::vector<DenylistEntry> m_entries;
};

struct Denylist::ParseResult {
    Denylist list;
    std::vector<std::string> errors; ///< every bad line, "file:line: message"; empty when ok
    bool ok() const { return errors.empty(); }
};

} // namespace cpslock::card
