#include "tools/cardsim/VirtualCard.h"

#include "pcsc/SnIcc.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <array>

namespace cpslock::cardsim {
namespace {

struct ProfileRow {
    std::string_view name;
    std::string_view atr;
    bool cps;
};

// ATRs from shared/facts/cps-cards.md; "bank" shares the 3F 65 25 prefix with Carte Vitale 1 on purpose.
constexpr std::array<ProfileRow, 7> kProfiles{{
    {"cps3", "3BAC00402A001225006480000310009000", true},
    {"cps3-contactless", "3B8F80010031B86404B0ECC1739401808290000E", true},
    {"cps4", "3B9B188001001225006480040100009044", true},
    {"vitale1", "3F65250052096A9000", false},
    {"vitale2", "3B751300004509EA9000", false},
    {"bank", "3F65250836046C9000", false},
    {"unknown", "3BF81300008131FE15597562696B657934D4", false}, // a YubiKey 4: PIV, not a CPS
}};

constexpr std::string_view kDefaultSerial = "2100000001";

Bytes sw(std::uint16_t status) {
    return {static_cast<std::uint8_t>(status >> 8), static_cast<std::uint8_t>(status & 0xFF)};
}

} // namespace

std::vector<std::string_view> profileNames() {
    std::vector<std::string_view> names;
    for (const auto& p : kProfiles)
        names.push_back(p.name);
    return names;
}

std::optional<CardProfile> makeProfile(std::string_view name, std::string_view serial, std::string& error) {
    const auto row = std::find_if(kProfiles.begin(), kProfiles.end(), [&](const ProfileRow& p) { return p.name == name; });
    if (row == kProfiles.end()) {
        error = "unknown profile '" + std::string(name) + "'";
        return std::nullopt;
    }
    CardProfile profile;
    profile.name = std::string(row->name);
    profile.atr = fromHex(row->atr).value_or(Bytes{});
    profile.hasSnIcc = row->cps;
    if (row->cps) {
        profile.serial = std::string(serial.empty() ? kDefaultSerial : serial);
        profile.snIcc = pcsc::encodeSnIcc(profile.serial);
        if (profile.snIcc.empty()) {
            error = "serial '" + std::string(serial) + "' is not 1 to 10 digits";
            return std::nullopt;
        }
    }
    return profile;
}

VirtualCard::VirtualCard(CardProfile profile, std::shared_ptr<PivApplet> piv)
    : m_profile(std::move(profile)), m_piv(std::move(piv)) {
    if (m_piv)
        m_piv->insertedInto(m_profile.snIcc);
}

void VirtualCard::reset() {
    m_selected = Selected::None;
    if (m_piv)
        m_piv->reset();
}

Bytes VirtualCard::process(const Bytes& apdu) {
    ++m_apdus;
    if (apdu.size() < 4)
        return sw(0x6700);
    Apdu command;
    command.cla = apdu[0];
    command.ins = apdu[1];
    command.p1 = apdu[2];
    command.p2 = apdu[3];
    // Short APDUs only: case 1 (header), case 2 (Le), case 3 (Lc data), case 4 (Lc data Le).
    if (apdu.size() == 5) {
        command.le = apdu[4] == 0 ? 256 : apdu[4];
        command.hasLe = true;
    } else if (apdu.size() > 5) {
        const std::size_t lc = apdu[4];
        if (lc == 0 || apdu.size() < 5 + lc || apdu.size() > 6 + lc)
            return sw(0x6700);
        command.data.assign(apdu.begin() + 5, apdu.begin() + 5 + static_cast<std::ptrdiff_t>(lc));
        if (apdu.size() == 6 + lc) {
            command.le = apdu.back() == 0 ? 256 : apdu.back();
            command.hasLe = true;
        }
    }
    if (command.ins == 0xA4 && command.cla == 0x00)
        return select(command);
    if (m_selected == Selected::Piv) {
        Bytes response = m_piv->process(command);
        OPENSSL_cleanse(command.data.data(), command.data.size()); // VERIFY data is the PIN
        return response;
    }
    if (command.cla != 0x00)
        return sw(0x6E00);
    switch (command.ins) {
    case 0xB0: return readBinary(command.p1, command.p2, command.le);
    default: return sw(0x6D00);
    }
}

Bytes VirtualCard::select(const Apdu& apdu) {
    const std::uint8_t p1 = apdu.p1, p2 = apdu.p2;
    const Bytes& data = apdu.data;
    if (m_piv && p1 == 0x04) {
        if (!PivApplet::matchesAid(data))
            return sw(0x6A82);
        Bytes response = m_piv->select(apdu);
        const std::uint8_t sw1 = response[response.size() - 2];
        if (sw1 == 0x90 || sw1 == 0x61)
            m_selected = Selected::Piv;
        return response;
    }
    if (!m_profile.hasSnIcc)
        return sw(0x6A82);
    if (p2 != 0x0C && p2 != 0x00 && p2 != 0x04)
        return sw(0x6A86);
    const Bytes mf{0x3F, 0x00}, snIcc{0xD0, 0x03}, fullPath{0x3F, 0x00, 0xD0, 0x03};
    Selected target = Selected::None;
    if (p1 == 0x00 && (data.empty() || data == mf)) {
        target = Selected::Mf; // by FID (or empty data: the MF)
    } else if ((p1 == 0x00 || p1 == 0x02) && data == snIcc &&
               (m_selected == Selected::Mf || m_selected == Selected::SnIcc)) {
        target = Selected::SnIcc; // EF under the current DF (the MF)
    } else if (p1 == 0x08 && data == snIcc) {
        target = Selected::SnIcc; // path from the MF
    } else if (p1 == 0x08 && data == fullPath) {
        target = Selected::SnIcc; // some readers of the spec include the MF in the path
    } else if (p1 == 0x00 || p1 == 0x02 || p1 == 0x08) {
        return sw(0x6A82);
    } else {
        return sw(0x6A86);
    }
    if (m_selected == Selected::Piv)
        m_piv->reset(); // leaving the PIV application ends its security status
    m_selected = target;
    return sw(0x9000);
}

Bytes VirtualCard::readBinary(std::uint8_t p1, std::uint8_t p2, std::size_t le) {
    if (p1 & 0x80)
        return sw(0x6A81); // short-FID read: not offered
    if (m_selected != Selected::SnIcc)
        return sw(0x6986);
    const std::size_t offset = (static_cast<std::size_t>(p1) << 8) | p2;
    const Bytes& file = m_profile.snIcc;
    if (offset > file.size())
        return sw(0x6B00);
    const std::size_t wanted = le == 0 ? 256 : le;
    const std::size_t n = std::min(wanted, file.size() - offset);
    Bytes out(file.begin() + static_cast<std::ptrdiff_t>(offset),
              file.begin() + static_cast<std::ptrdiff_t>(offset + n));
    const Bytes status = sw(n < wanted && le != 256 ? 0x6282 : 0x9000);
    out.insert(out.end(), status.begin(), status.end());
    return out;
}

} // namespace cpslock::cardsim
