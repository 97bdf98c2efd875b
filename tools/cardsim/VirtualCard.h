#pragma once

#include "core/Hex.h"
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
/// nullopt with @p error set for an unknown profile or a bad serial.
std::optional<CardProfile> makeProfile(std::string_view name, std::string_view serial, std::string& error);

/// The card's side of the APDU exchange (ISO 7816-4 subset): SELECT by FID and by path, READ BINARY,
/// and SELECT by AID of an optional PIV applet, which then gets every command until another SELECT.
/// Pure: no I/O, so the answers are unit-tested directly.
class VirtualCard {
public:
    /// @p piv is shared with the simulator so its PIN try counter outlives this card (re-insertion).
    explicit VirtualCard(CardProfile profile, std::shared_ptr<PivApplet> piv = nullptr);

    const CardProfile& profile() const { return m_profile; }

    /// Power-on / reset / removal: back to the MF, nothing selected, PIV PIN no longer verified.
    void reset();

    /// Answers one command APDU with response data + status word. Never throws; malformed APDUs
    /// get 6700 (wrong length) or 6E00 (class not supported).
    Bytes process(const Bytes& apdu);

    int apduCount() const { return m_apdus; }

private:
    enum class Selected { None, Mf, SnIcc, Piv };

    Bytes select(const Apdu& apdu);
    Bytes readBinary(std::uint8_t p1, std::uint8_t p2, std::size_t le);

    CardProfile m_profile;
    std::shared_ptr<PivApplet> m_piv;
    Selected m_selected = Selected::None;
    int m_apdus = 0;
};

} // namespace cpslock::cardsim
