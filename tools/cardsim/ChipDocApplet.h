// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "tools/cardsim/CpsApplet.h"

namespace cpslock::cardsim {

/// A CPS4 (NXP ChipDoc) as ANS Cryptolib CPS 5.2's `cps4` driver drives it (docs/reference/cpx-card.md
/// "CPS4"): logical channel 1 (CLA 01) without MANAGE CHANNEL, FCI `6F` for SELECT with P2 = 00,
/// VERIFY without data always answering the counter, the authentication key 0x20 as raw RSA through
/// PSO DECIPHER over a host-padded block (command chaining), the signature key 0x21 signing a bare
/// hash with PSO CDS. OpenSC has no driver for it.
///
/// CLA 00 is answered like CLA 01 (one shared state): cpslock's own EF.SN.ICC probe uses the basic
/// channel, and a real CPS4's basic channel is not documented.
class ChipDocApplet : public CpsApplet {
public:
    static constexpr std::uint8_t kAuthKey = 0x20;
    static constexpr std::uint8_t kSignKey = 0x21;

    ChipDocApplet(const Bytes& snIcc, std::shared_ptr<CpsCredentials> credentials);

protected:
    bool acceptsClass(std::uint8_t cla) const override { return cla == 0x01 || cla == 0x00; }
    Reply dispatch(const Apdu& apdu, const Bytes& data) override;
    std::optional<Reply> selectOtherAid(const Bytes& aid) override;
    bool fciForP2Zero() const override { return true; }

private:
    Reply securityOperation(const Apdu& apdu, const Bytes& data);
};

} // namespace cpslock::cardsim
