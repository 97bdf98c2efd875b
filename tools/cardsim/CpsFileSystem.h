// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Hex.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cpslock::cardsim {

/// What goes into a CPS card's files: EF.SN.ICC and, when the card carries keys, the PKCS#15
/// application describing them (docs/reference/cpx-card.md §4.5).
struct CpsCardContent {
    Bytes snIcc;
    Bytes authCertificate; ///< DER; empty: no PKCS#15 application at all
    Bytes signCertificate; ///< DER; may be the authentication certificate again
    unsigned authModulusBits = 2048;
    unsigned signModulusBits = 2048;
    std::uint8_t authKeyReference = 0x82; ///< PrKDF keyReference: 0x82 on CPS3, 0x20 on CPS4
    std::uint8_t signKeyReference = 0x81; ///< 0x81 on CPS3, 0x21 on CPS4
    std::optional<Bytes> actua;           ///< EF_ACTUA content (3F00/D010); absent by default
};

/// The file tree of a CPS3 (IAS-ECC "CPx") or CPS4 (ChipDoc) card: MF with EF.ATR, EF.DIR,
/// EF.SN.ICC, optional EF_ACTUA, and DF 0001 (the PKCS#15 application) with ODF, TokenInfo, AODF,
/// PrKDF, CDF and the two certificates. Files are numbered; 0 is the MF. Pure data: the applets
/// keep the current-file state.
class CpsFileSystem {
public:
    struct File {
        std::uint16_t fid = 0;
        bool isDf = false;
        int parent = -1;
        std::uint8_t sfi = 0; ///< 0: none
        Bytes aid;            ///< DFs that can be selected by name
        Bytes content;        ///< EFs
    };

    static constexpr int kMf = 0;
    static constexpr std::uint16_t kMfFid = 0x3F00;

    explicit CpsFileSystem(const CpsCardContent& content);

    const File& file(int index) const { return m_files.at(static_cast<std::size_t>(index)); }

    /// The file @p fid directly under DF @p df.
    std::optional<int> child(int df, std::uint16_t fid) const;
    /// Follows a path of FIDs (2 bytes each) from DF @p from; every step but the last must be a DF.
    std::optional<int> walk(int from, const Bytes& path) const;
    /// The DF whose AID is exactly @p aid.
    std::optional<int> byAid(const Bytes& aid) const;
    /// The EF with short FID @p sfi under DF @p df.
    std::optional<int> bySfi(int df, std::uint8_t sfi) const;

    /// The FCP template (`62 …`) of a file, or the FCI (`6F …`, same inner TLVs) when @p fci.
    Bytes controlParameters(int index, bool fci) const;

    /// The PKCS#15 file contents, for tests.
    static Bytes efAtr();

private:
    int add(File file);

    std::vector<File> m_files;
};

/// Encodes an EF_ACTUA window from two dates `YYYYMMDD[hhmmss]`; nullopt when malformed.
std::optional<Bytes> encodeActua(const std::string& start, const std::string& end);

} // namespace cpslock::cardsim
