// SPDX-License-Identifier: EUPL-1.2
#include "tools/cardsim/IasEccApplet.h"

#include "tools/cardsim/CardCrypto.h"
#include "tools/cardsim/CardTlv.h"

#include <algorithm>

namespace cpslock::cardsim {
namespace {

constexpr std::uint16_t kOk = 0x9000;
constexpr std::uint16_t kSecurityNotSatisfied = 0x6982;
constexpr std::uint16_t kConditionsNotSatisfied = 0x6985;
constexpr std::uint16_t kWrongData = 0x6A80;
constexpr std::uint16_t kWrongP1P2 = 0x6A86;
constexpr std::uint16_t kNoSuchReference = 0x6A88;
constexpr std::uint16_t kInsNotSupported = 0x6D00;

// IAS-ECC SDO classes as GET DATA names them (class | 0x80).
constexpr std::uint8_t kChvClass = 0x81;
constexpr std::uint8_t kRsaPrivateClass = 0x90;
constexpr int kPukTries = 10;

} // namespace

IasEccApplet::IasEccApplet(const Bytes& snIcc, std::shared_ptr<CpsCredentials> credentials)
    : CpsApplet(cpsContent(snIcc, *credentials, kAuthKey, kSignKey), credentials) {}

CpsApplet::Reply IasEccApplet::dispatch(const Apdu& apdu, const Bytes& data) {
    switch (apdu.ins) {
    case 0xA4: return select(apdu, data);
    case 0xB0: return readBinary(apdu);
    case 0xCB: return getData(apdu, data);
    case 0x20: return verify(apdu, data, false);
    case 0x22: return manageSecurityEnvironment(apdu, data);
    case 0x88: return internalAuthenticate(apdu, data);
    case 0x2A: return securityOperation(apdu, data);
    default: return {{}, kInsNotSupported};
    }
}

CpsApplet::Reply IasEccApplet::getData(const Apdu& apdu, const Bytes& data) const {
    if (apdu.p1 != 0x3F || apdu.p2 != 0xFF)
        return {{}, kWrongP1P2};
    // 4D L 70 L BF <class|80> <ref> L <tag...> 80: one SDO, one data group of it.
    if (data.size() < 10 || data[0] != 0x4D || data[1] != data.size() - 2 || data[2] != 0x70 ||
        data[3] != data.size() - 4 || data[4] != 0xBF || data[7] != data.size() - 8 || data.back() != 0x80)
        return {{}, kWrongData};
    const std::uint8_t sdoClass = data[5], reference = data[6];
    const Bytes tag(data.begin() + 8, data.end() - 1);
    auto sdo = [&](const Bytes& group) { return tlv({0x70}, tlv({0xBF, sdoClass, reference}, group)); };

    if (sdoClass == kChvClass && (reference == 1 || reference == 2)) {
        if (tag == Bytes{0xA0}) {
            // Try counters, live: 9A maximum, 9B left; the ACLs are the real card's bytes (#2275).
            // A real CPx has 3 PIN tries; `--pin-tries 1` starts one from its last try (max stays 3).
            const int max = reference == 1 ? std::max(3, credentials().maxTries()) : kPukTries;
            const int left = reference == 1 ? credentials().triesLeft() : kPukTries;
            return {sdo(tlv({0xA0}, concat({Bytes{0x9A, 0x01, static_cast<std::uint8_t>(max), 0x9B, 0x01,
                                                  static_cast<std::uint8_t>(left)},
                                            *fromHex("A1088C06F3000013FF00")}))),
                    kOk};
        }
        if (tag == Bytes{0x7F, 0x41} && reference == 1)
            return {sdo(*fromHex("7F4106800108810104")), kOk}; // at most 8, at least 4 digits
        return {{}, kNoSuchReference};
    }
    const PivCredentials* key = reference == (kAuthKey & 0x7F)   ? credentials().authentication()
                                : reference == (kSignKey & 0x7F) ? credentials().signature()
                                                                 : nullptr;
    if (sdoClass == kRsaPrivateClass && key != nullptr) {
        if (tag == Bytes{0x7F, 0x48})
            return {{}, kWrongP1P2}; // no public data: OpenSC then asks the DOCP
        if (tag == Bytes{0xA0}) {
            // Access rules (user authentication for the private operations, never SM) and the size.
            const Bytes acl = reference == (kAuthKey & 0x7F) ? *fromHex("A1068C0431111100") : *fromHex("A1058C03411100");
            const auto bytes = static_cast<unsigned>(key->keyBits / 8);
            return {sdo(tlv({0xA0}, concat({acl, tlv({0x80}, {static_cast<std::uint8_t>(bytes >> 8),
                                                              static_cast<std::uint8_t>(bytes & 0xFF)})}))),
                    kOk};
        }
    }
    return {{}, kNoSuchReference};
}

CpsApplet::Reply IasEccApplet::internalAuthenticate(const Apdu& apdu, const Bytes& data) const {
    if (apdu.p1 != 0x00 || apdu.p2 != 0x00)
        return {{}, kWrongP1P2};
    const PivCredentials* key = credentials().authentication();
    if (environment(0xA4).key != kAuthKey || key == nullptr)
        return {{}, kConditionsNotSatisfied};
    if (!verified())
        return {{}, kSecurityNotSatisfied};
    // The host's input (a DigestInfo for CKM_RSA_PKCS) is padded with PKCS#1 type 1 and signed.
    auto signature = rsaSignPkcs1(key->key.get(), data);
    if (!signature)
        return {{}, kWrongData};
    return {std::move(*signature), kOk};
}

CpsApplet::Reply IasEccApplet::securityOperation(const Apdu& apdu, const Bytes& data) {
    const std::uint16_t p1p2 = static_cast<std::uint16_t>((apdu.p1 << 8) | apdu.p2);
    if (p1p2 == 0x90A0) {
        // PSO HASH: 90 (the host's SHA state + 8-byte bit counter, or empty) and 80 (the tail).
        const auto algorithm = environment(0xAA).algorithm;
        if (algorithm != 0x40 && algorithm != 0x10)
            return {{}, kConditionsNotSatisfied};
        const HashAlgorithm hash = algorithm == 0x40 ? HashAlgorithm::Sha256 : HashAlgorithm::Sha1;
        std::optional<Bytes> state, tail;
        for (std::size_t pos = 0; pos < data.size();) {
            const auto item = readTlv(data, pos);
            if (!item)
                return {{}, kWrongData};
            if (item->tag == 0x90)
                state = item->value;
            else if (item->tag == 0x80)
                tail = item->value;
            else
                return {{}, kWrongData};
        }
        if (!state || !tail)
            return {{}, kWrongData};
        Bytes chaining;
        std::uint64_t bits = 0;
        if (!state->empty()) {
            if (state->size() < 8)
                return {{}, kWrongData};
            chaining.assign(state->begin(), state->end() - 8);
            for (auto it = state->end() - 8; it != state->end(); ++it)
                bits = (bits << 8) | *it;
        }
        auto digest = finishHash(hash, chaining, bits, *tail);
        if (!digest)
            return {{}, kWrongData};
        m_hash = std::move(*digest);
        return {{}, kOk};
    }
    if (p1p2 == 0x9E9A) {
        // PSO COMPUTE DIGITAL SIGNATURE with the non-repudiation key: over the hash PSO HASH left,
        // or a bare hash given here.
        const PivCredentials* key = credentials().signature();
        if (environment(0xB6).key != kSignKey || key == nullptr)
            return {{}, kConditionsNotSatisfied};
        if (!verified())
            return {{}, kSecurityNotSatisfied};
        const Bytes hash = data.empty() ? m_hash.value_or(Bytes{}) : data;
        m_hash.reset();
        if (hash.empty())
            return {{}, kConditionsNotSatisfied};
        const Bytes digestInfo = digestInfoFor(hash);
        if (digestInfo.empty())
            return {{}, kWrongData};
        auto signature = rsaSignPkcs1(key->key.get(), digestInfo);
        if (!signature)
            return {{}, kWrongData};
        return {std::move(*signature), kOk};
    }
    if (p1p2 == 0x8086) {
        const PivCredentials* key = credentials().authentication();
        if (environment(0xB8).key != kAuthKey || key == nullptr)
            return {{}, kConditionsNotSatisfied};
        if (!verified())
            return {{}, kSecurityNotSatisfied};
        if (data.empty() || data[0] != 0x81)
            return {{}, kWrongData}; // padding-indicator byte 81, then the cryptogram
        auto plain = rsaDecryptPkcs1(key->key.get(), Bytes(data.begin() + 1, data.end()));
        if (!plain)
            return {{}, kWrongData};
        return {std::move(*plain), kOk};
    }
    return {{}, kWrongP1P2};
}

} // namespace cpslock::cardsim
