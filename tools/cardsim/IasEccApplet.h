// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "tools/cardsim/CpsApplet.h"

namespace cpslock::cardsim {

/// A CPS3 as an IAS-ECC "CPx" card, as OpenSC's `iasecc` driver and ANS Cryptolib CPS drive it
/// (docs/reference/cpx-card.md): CLA 00 over T=0, the CpsApplet file tree, GET DATA of the CHV and
/// key SDOs, VERIFY of CHV 1, MSE SET, INTERNAL AUTHENTICATE with the authentication key (0x82),
/// PSO HASH (finishing the host's SHA state) + PSO COMPUTE DIGITAL SIGNATURE with the signature
/// key (0x81), PSO DECIPHER. No secure messaging: nothing on the login/sign path needs it.
class IasEccApplet : public CpsApplet {
public:
    static constexpr std::uint8_t kAuthKey = 0x82;
    static constexpr std::uint8_t kSignKey = 0x81;

    IasEccApplet(const Bytes& snIcc, std::shared_ptr<CpsCredentials> credentials);

protected:
    bool acceptsClass(std::uint8_t cla) const override { return cla == 0x00; }
    Reply dispatch(const Apdu& apdu, const Bytes& data) override;

private:
    Reply getData(const Apdu& apdu, const Bytes& data) const;
    Reply internalAuthenticate(const Apdu& apdu, const Bytes& data) const;
    /// PSO: HASH, COMPUTE DIGITAL SIGNATURE or DECIPHER, by P1-P2.
    Reply securityOperation(const Apdu& apdu, const Bytes& data);
    Reply hash(const Bytes& data);
    Reply computeSignature(const Bytes& data);
    Reply decipher(const Bytes& data) const;

    /// What PSO HASH carries: the host's SHA chaining value after bitsDone bits, and the tail.
    struct HashInput {
        Bytes chaining;
        std::uint64_t bitsDone = 0;
        Bytes tail;
    };
    static std::optional<HashInput> parseHashInput(const Bytes& data);
};

} // namespace cpslock::cardsim
