// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Hex.h"
#include "core/Result.h"
#include "tools/cardsim/CpsApplet.h"
#include "tools/cardsim/CpsCredentials.h"
#include "tools/cardsim/PivApplet.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cpslock::cardsim {

/// What a simulated card is: its ATR and which files it answers.
struct CardProfile {
    std::string name;
    Bytes atr;
    bool hasSnIcc = false; ///< CPS cards: 3F00/D003 readable without PIN
    std::string serial;    ///< CPS cards: the serial written into EF.SN.ICC
    Bytes snIcc;           ///< EF.SN.ICC content (may be deliberately malformed for tests)
};

/// The profile names `cpslock-cardsim --profile` accepts.
std::vector<std::string_view> profileNames();

/// Builds a profile. @p serial (1-10 digits) goes into EF.SN.ICC of CPS profiles; empty = the default.
/// Fails for an unknown profile or a bad serial.
Result<CardProfile> makeProfile(std::string_view name, std::string_view serial);

/// CHV 1 (CPS applications) or the PIV PIN, as `pin-state` prints it.
struct PinState {
    int triesLeft = 0;
    bool verified = false;
};

/// The card's side of the APDU exchange. CPS profiles answer as their card does: `cps3` (and the
/// contactless CPS3, without keys) as an IAS-ECC CPx (IasEccApplet), `cps4` as a ChipDoc
/// (ChipDocApplet); an optional PIV applet is reached by SELECT of its AID and then gets every
/// command until another SELECT. Other profiles know no file. Pure: no I/O, so the answers are
/// unit-tested directly.
class VirtualCard {
public:
    /// @p piv and @p cps are shared with the simulator so their PIN try counters outlive this card
    /// (re-insertion). Without @p cps a CPS profile gets a card without keys (PIN 1234, 3 tries).
    explicit VirtualCard(CardProfile profile, std::shared_ptr<PivApplet> piv = nullptr,
                         std::shared_ptr<CpsCredentials> cps = nullptr);

    const CardProfile& profile() const { return m_profile; }

    /// Power-on / reset / removal: back to the MF, nothing selected, PIV PIN no longer verified.
    void reset();

    /// Answers one command APDU with response data + status word. Never throws; malformed APDUs
    /// get 6700 (wrong length) or 6E00 (class not supported).
    Bytes process(const Bytes& apdu);

    int apduCount() const { return m_apdus; }

    /// CHV 1 of the CPS application when the card carries CPS keys, else the PIV PIN when there is
    /// a PIV applet, else CHV 1; nullopt for cards without a PIN.
    std::optional<PinState> pinState() const;

private:
    CardProfile m_profile;
    std::shared_ptr<PivApplet> m_piv;
    std::shared_ptr<CpsCredentials> m_cpsCredentials;
    std::unique_ptr<CpsApplet> m_cps;
    bool m_pivSelected = false;
    int m_apdus = 0;
};

} // namespace cpslock::cardsim
