// SPDX-License-Identifier: EUPL-1.2
#include "tools/cardsim/CpsFileSystem.h"

#include "tools/cardsim/CardTlv.h"

#include <algorithm>
#include <string_view>

namespace cpslock::cardsim {
namespace {

// AIDs (docs/reference/cps-cards.md): the IAS-ECC root (also the CPS4 ChipDoc applet) and the CPS3
// PKCS#15 application.
Bytes rootAid() {
    return Bytes{0x80, 0x25, 0x00, 0x00, 0x01, 0xFF, 0x01, 0x00};
}

Bytes pkcs15Aid() {
    return Bytes{0xE8, 0x28, 0xBD, 0x08, 0x0F, 0x80, 0x25, 0x00, 0x00, 0x01, 0xFF, 0x00, 0x10};
}

// EF.ATR of a real CPx (OpenSC issue #2223), leading 80 quirk included: pre-issuing data (46),
// I/O buffer sizes (E0: 260 bytes out, 256 in) and the root AID (4F) OpenSC then selects.
constexpr std::string_view kEfAtr = "804301B8460404B0ECC147039401804F088025000001FF0100E010020201040202010402"
                                    "02010002020100780806062B8122F8780282029000";

Bytes text(std::string_view s) {
    return Bytes(s.begin(), s.end());
}

Bytes path(std::initializer_list<std::uint8_t> fids) {
    return tlv({0x30}, tlv({0x04}, Bytes(fids)));
}

Bytes fidBytes(std::uint16_t fid) {
    return {static_cast<std::uint8_t>(fid >> 8), static_cast<std::uint8_t>(fid & 0xFF)};
}

// TokenInfo.supportedAlgorithms entry: reference, PKCS#11 mechanism, NULL parameters, operations,
// OID, card algorithm reference (the byte MSE SET carries in tag 80).
Bytes algorithm(unsigned reference, unsigned mechanism, const Bytes& operations, const Bytes& oid, unsigned algRef) {
    return tlv({0x30}, concat({derInteger(reference), derInteger(mechanism), Bytes{0x05, 0x00}, operations,
                               tlv({0x06}, oid), derInteger(algRef)}));
}

Bytes tokenInfo() {
    const Bytes hash{0x03, 0x02, 0x01, 0x02}, sign{0x03, 0x02, 0x06, 0x40}, decipher{0x03, 0x02, 0x02, 0x04};
    const Bytes sha1Oid{0x2B, 0x0E, 0x03, 0x02, 0x1A};
    const Bytes sha256Oid{0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01};
    // PKCS#1 OIDs 1.2.840.113549.1.1.x
    auto rsa = [](std::uint8_t last) { return Bytes{0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, last}; };
    const Bytes algorithms =
        concat({algorithm(1, 0x220, hash, sha1Oid, 0x10), algorithm(2, 0x250, hash, sha256Oid, 0x40),
                algorithm(3, 0x06, sign, rsa(0x05), 0x12), algorithm(4, 0x40, sign, rsa(0x0B), 0x42),
                algorithm(5, 0x01, sign, rsa(0x01), 0x02), algorithm(6, 0x01, decipher, rsa(0x01), 0x0A)});
    // No serialNumber: both middlewares then take the card serial from EF.SN.ICC.
    return tlv({0x30}, concat({derInteger(0), tlv({0x0C}, text("ASIP-SANTE")), tlv({0x80}, text("CPS")),
                               Bytes{0x03, 0x02, 0x06, 0x40}, tlv({0xA2}, algorithms)}));
}

Bytes aodf() {
    // PIN "PIN", authId 01: case-sensitive + initialized (no needs-padding), ascii-numeric, 4-8 digits,
    // reference 1 (global CHV 1), pad char FF, path 3F00. Both middlewares then send it unpadded.
    return *fromHex("302D30090C0350494E0302078030030401"
                    "01A11B3019030203880A010102010402010880010104"
                    "01FF300404023F00");
}

Bytes privateKey(std::string_view label, std::uint8_t id, const Bytes& usage, unsigned keyReference, unsigned bits) {
    const Bytes common =
        tlv({0x30}, concat({tlv({0x0C}, text(label)), Bytes{0x03, 0x02, 0x07, 0x80}, tlv({0x04}, {0x01})}));
    const Bytes accessFlags{0x03, 0x02, 0x04, 0xB0}; // sensitive, alwaysSensitive, neverExtractable
    const Bytes keyAttributes = tlv({0x30}, concat({tlv({0x04}, {id}), usage, accessFlags, derInteger(keyReference)}));
    const Bytes rsaAttributes = tlv({0xA1}, tlv({0x30}, concat({path({0x3F, 0x00, 0x00, 0x01}), derInteger(bits)})));
    return tlv({0x30}, concat({common, keyAttributes, rsaAttributes}));
}

Bytes certificate(std::string_view label, std::uint8_t id, std::uint8_t fidLow) {
    return tlv({0x30}, concat({tlv({0x30}, tlv({0x0C}, text(label))), tlv({0x30}, tlv({0x04}, {id})),
                               tlv({0xA1}, tlv({0x30}, path({0x3F, 0x00, 0x00, 0x01, 0x50, fidLow})))}));
}

// Access rules of an EF: READ always (00), everything else never from the host (FF), in the real
// CPx encoding; never the SM bit 0x40 on READ (OpenSC would refuse to read the file).
Bytes efAcl() {
    return *fromHex("A1128C077BFFFFFFFFFF009C077BFFFFFFFFFF00");
}

Bytes dfAcl() {
    return *fromHex("A1098C077BFFFFFFFFFF00");
}

bool digits(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

Bytes CpsFileSystem::efAtr() {
    return *fromHex(kEfAtr);
}

CpsFileSystem::CpsFileSystem(const CpsCardContent& content) {
    add({kMfFid, true, -1, 0, rootAid(), {}});
    add({0x2F01, false, kMf, 0x1D, {}, efAtr()});
    add({0xD003, false, kMf, 0x1C, {}, content.snIcc});
    if (content.actua)
        add({0xD010, false, kMf, 0, {}, *content.actua});
    if (content.authCertificate.empty())
        return; // a card without keys: no PKCS#15 application to describe them
    add({0x2F00,
         false,
         kMf,
         0x1E,
         {},
         concat({tlv({0x61}, concat({tlv({0x4F}, pkcs15Aid()), tlv({0x50}, text("CPS")),
                                     tlv({0x51}, {0x3F, 0x00, 0x00, 0x01})}))})});
    const int app = add({0x0001, true, kMf, 0, pkcs15Aid(), {}});
    const Bytes odf = concat({tlv({0xA8}, path({0x3F, 0x00, 0x00, 0x01, 0x50, 0x33})),
                              tlv({0xA0}, path({0x3F, 0x00, 0x00, 0x01, 0x50, 0x34})),
                              tlv({0xA4}, path({0x3F, 0x00, 0x00, 0x01, 0x50, 0x35}))});
    // Usages decide the flows: sign (+decrypt) = INTERNAL AUTHENTICATE, nonRepudiation = PSO CDS.
    const Bytes prkdf = concat(
        {privateKey("CPS_PRIV_AUT", 0x02, {0x03, 0x02, 0x05, 0x60}, content.authKeyReference, content.authModulusBits),
         privateKey("CPS_PRIV_SIG", 0x01, {0x03, 0x03, 0x06, 0x00, 0x40}, content.signKeyReference,
                    content.signModulusBits)});
    const Bytes cdf = concat({certificate("Certificat d'Authentification CPS", 0x02, 0x40),
                              certificate("Certificat de Signature CPS", 0x01, 0x41)});
    add({0x5031, false, app, 0, {}, odf});
    add({0x5032, false, app, 0, {}, tokenInfo()});
    add({0x5033, false, app, 0, {}, aodf()});
    add({0x5034, false, app, 0, {}, prkdf});
    add({0x5035, false, app, 0, {}, cdf});
    add({0x5040, false, app, 0, {}, content.authCertificate});
    add({0x5041,
         false,
         app,
         0,
         {},
         content.signCertificate.empty() ? content.authCertificate : content.signCertificate});
}

int CpsFileSystem::add(File file) {
    m_files.push_back(std::move(file));
    return static_cast<int>(m_files.size() - 1);
}

std::optional<int> CpsFileSystem::child(int df, std::uint16_t fid) const {
    for (std::size_t i = 0; i < m_files.size(); ++i)
        if (m_files[i].parent == df && m_files[i].fid == fid)
            return static_cast<int>(i);
    return std::nullopt;
}

std::optional<int> CpsFileSystem::walk(int from, const Bytes& path) const {
    if (path.empty() || path.size() % 2 != 0)
        return std::nullopt;
    int at = from;
    for (std::size_t i = 0; i < path.size(); i += 2) {
        if (!file(at).isDf)
            return std::nullopt;
        const auto next = child(at, static_cast<std::uint16_t>((path[i] << 8) | path[i + 1]));
        if (!next)
            return std::nullopt;
        at = *next;
    }
    return at;
}

std::optional<int> CpsFileSystem::byAid(const Bytes& aid) const {
    for (std::size_t i = 0; i < m_files.size(); ++i)
        if (m_files[i].isDf && !aid.empty() && m_files[i].aid == aid)
            return static_cast<int>(i);
    return std::nullopt;
}

std::optional<int> CpsFileSystem::bySfi(int df, std::uint8_t sfi) const {
    for (std::size_t i = 0; i < m_files.size(); ++i)
        if (m_files[i].parent == df && !m_files[i].isDf && m_files[i].sfi == sfi && sfi != 0)
            return static_cast<int>(i);
    return std::nullopt;
}

Bytes CpsFileSystem::controlParameters(int index, bool fci) const {
    const File& f = file(index);
    Bytes inner;
    if (f.isDf) {
        // The MF answers without its AID, as the real CPx does (OpenSC issue #2275).
        inner = concat({Bytes{0x82, 0x01, 0x38}, tlv({0x83}, fidBytes(f.fid)),
                        index == kMf ? Bytes{} : tlv({0x84}, f.aid), Bytes{0x8A, 0x01, 0x05}, dfAcl()});
    } else {
        const auto size = static_cast<std::uint16_t>(f.content.size());
        inner = concat({tlv({0x80}, fidBytes(size)), Bytes{0x82, 0x01, 0x01}, tlv({0x83}, fidBytes(f.fid)),
                        f.sfi ? Bytes{0x88, 0x01, static_cast<std::uint8_t>(f.sfi << 3)} : Bytes{}, efAcl(),
                        Bytes{0x8A, 0x01, 0x05}});
    }
    return fci ? tlv({0x6F}, inner) : tlv({0x62}, inner);
}

std::optional<Bytes> encodeActua(const std::string& start, const std::string& end) {
    auto bcd = [](std::string date) -> std::optional<Bytes> {
        if (date.size() == 8)
            date += "000000";
        if (date.size() != 14 || !digits(date))
            return std::nullopt;
        return fromHex(date);
    };
    const auto from = bcd(start), to = bcd(end);
    if (!from || !to)
        return std::nullopt;
    return tlv({0xEC}, concat({tlv({0x81}, *from), tlv({0x82}, *to)}));
}

} // namespace cpslock::cardsim
