// SPDX-License-Identifier: EUPL-1.2
#include "tools/cardsim/VirtualCard.h"

#include "pcsc/SnIcc.h"
#include "tools/cardsim/CardTlv.h"
#include "tools/cardsim/ChipDocApplet.h"
#include "tools/cardsim/IasEccApplet.h"

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

// ATRs from docs/reference/cps-cards.md; "bank" shares the 3F 65 25 prefix with Carte Vitale 1 on purpose.
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

} // namespace

std::vector<std::string_view> profileNames() {
    std::vector<std::string_view> names;
    for (const auto& p : kProfiles)
        names.push_back(p.name);
    return names;
}

Result<CardProfile> makeProfile(std::string_view name, std::string_view serial) {
    const auto row =
        std::find_if(kProfiles.begin(), kProfiles.end(), [&](const ProfileRow& p) { return p.name == name; });
    if (row == kProfiles.end())
        return fail("unknown profile '" + std::string(name) + "'");
    CardProfile profile;
    profile.name = std::string(row->name);
    profile.atr = fromHex(row->atr).value_or(Bytes{});
    profile.hasSnIcc = row->cps;
    if (row->cps) {
        profile.serial = std::string(serial.empty() ? kDefaultSerial : serial);
        profile.snIcc = pcsc::encodeSnIcc(profile.serial);
        if (profile.snIcc.empty())
            return fail("serial '" + std::string(serial) + "' is not 1 to 10 digits");
    }
    return profile;
}

VirtualCard::VirtualCard(CardProfile profile, std::shared_ptr<PivApplet> piv, std::shared_ptr<CpsCredentials> cps)
    : m_profile(std::move(profile)), m_piv(std::move(piv)), m_cpsCredentials(std::move(cps)) {
    if (m_profile.hasSnIcc) {
        if (!m_cpsCredentials)
            m_cpsCredentials = std::make_shared<CpsCredentials>(std::nullopt, std::nullopt, "1234", 3);
        if (m_profile.name == "cps4")
            m_cps = std::make_unique<ChipDocApplet>(m_profile.snIcc, m_cpsCredentials);
        else
            m_cps = std::make_unique<IasEccApplet>(m_profile.snIcc, m_cpsCredentials);
    }
    if (m_piv)
        m_piv->insertedInto(m_profile.snIcc);
}

void VirtualCard::reset() {
    m_pivSelected = false;
    if (m_piv)
        m_piv->reset();
    if (m_cps)
        m_cps->reset();
}

std::optional<PinState> VirtualCard::pinState() const {
    if (m_cps && (m_cpsCredentials->hasKeys() || !m_piv))
        return PinState{m_cps->triesLeft(), m_cps->verified()};
    if (m_piv)
        return PinState{m_piv->triesLeft(), m_piv->verified()};
    return std::nullopt;
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
    struct WipeOnExit {
        Bytes& data;
        ~WipeOnExit() { OPENSSL_cleanse(data.data(), data.size()); } // VERIFY data is the PIN
    } wipe{command.data};

    const bool select = command.ins == 0xA4 && command.cla == 0x00;
    if (select && command.p1 == 0x04 && m_piv && PivApplet::matchesAid(command.data)) {
        Bytes response = m_piv->select(command);
        const std::uint8_t sw1 = response[response.size() - 2];
        if (sw1 == 0x90 || sw1 == 0x61)
            m_pivSelected = true;
        return response;
    }
    if (m_pivSelected && !select)
        return m_piv->process(command);
    if (m_cps) {
        Bytes response = m_cps->process(command);
        const std::uint8_t sw1 = response[response.size() - 2];
        if (m_pivSelected && (sw1 == 0x90 || sw1 == 0x61)) {
            m_pivSelected = false;
            m_piv->reset(); // leaving the PIV application ends its security status; a failed SELECT does not
        }
        return response;
    }
    // Not a CPS: no file this simulator knows.
    if (command.cla != 0x00)
        return sw(0x6E00);
    switch (command.ins) {
    case 0xA4: return sw(0x6A82);
    case 0xB0: return sw(0x6986);
    default: return sw(0x6D00);
    }
}

} // namespace cpslock::cardsim
