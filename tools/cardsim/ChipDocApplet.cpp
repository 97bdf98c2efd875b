// SPDX-License-Identifier: EUPL-1.2
#include "tools/cardsim/ChipDocApplet.h"

#include "tools/cardsim/CardCrypto.h"
#include "tools/cardsim/CardTlv.h"

namespace cpslock::cardsim {
namespace {

// Reached by Cryptolib only after a failure: the issuer security domain and the CPS2ter application.
Bytes isdAid() {
    return Bytes{0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00};
}

Bytes cps2terAid() {
    return Bytes{0x80, 0x25, 0x00, 0x00, 0x01, 0xFF, 0x00, 0x02};
}

} // namespace

ChipDocApplet::ChipDocApplet(const Bytes& snIcc, std::shared_ptr<CpsCredentials> credentials)
    : CpsApplet(snIcc, std::move(credentials), kAuthKey, kSignKey) {}

std::optional<CpsApplet::Reply> ChipDocApplet::selectOtherAid(const Bytes& aid) {
    if (aid == isdAid() || aid == cps2terAid())
        return Reply{{}, kOk};
    return std::nullopt;
}

CpsApplet::Reply ChipDocApplet::dispatch(const Apdu& apdu, const Bytes& data) {
    switch (apdu.ins) {
    case 0xA4: return select(apdu, data);
    case 0xB0: return readBinary(apdu);
    case 0x20: return verify(apdu, data, true);
    case 0x22: return manageSecurityEnvironment(apdu, data);
    case 0x2A: return securityOperation(apdu, data);
    default: return {{}, kInsNotSupported};
    }
}

CpsApplet::Reply ChipDocApplet::securityOperation(const Apdu& apdu, const Bytes& data) {
    const std::uint16_t p1p2 = static_cast<std::uint16_t>((apdu.p1 << 8) | apdu.p2);
    if (p1p2 == 0x8086) {
        // The driver's authentication: the host's PKCS#1 type-1 block, raw RSA with key 0x20.
        const auto key = usableKey(credentials().authentication(), environment(0xB8).key == kAuthKey);
        if (!key)
            return {{}, key.error()};
        return outputOf(rsaRawPrivate((*key)->key.get(), data));
    }
    if (p1p2 == 0x9E9A) {
        // Signature key (0x21, named 0xA1 in tag 91): PKCS#1 v1.5 over the bare hash sent here.
        const auto reference = environment(0xB6).key;
        const auto key = usableKey(credentials().signature(), reference == kSignKey || reference == (kSignKey | 0x80));
        if (!key)
            return {{}, key.error()};
        const Bytes digestInfo = digestInfoFor(data);
        if (digestInfo.empty())
            return {{}, kWrongData};
        return outputOf(rsaSignPkcs1((*key)->key.get(), digestInfo));
    }
    return {{}, kWrongP1P2};
}

} // namespace cpslock::cardsim
