// SPDX-License-Identifier: EUPL-1.2
#include "tools/cardsim/IasEccApplet.h"

#include "tools/cardsim/CardCrypto.h"
#include "tools/cardsim/CardTlv.h"

#include <algorithm>

namespace cpslock::cardsim {
namespace {

// IAS-ECC SDO classes as GET DATA names them (class | 0x80).
constexpr std::uint8_t kChvClass = 0x81;
constexpr std::uint8_t kRsaPrivateClass = 0x90;
constexpr int kPukTries = 10;

} // namespace

IasEccApplet::IasEccApplet(const Bytes& snIcc, std::shared_ptr<CpsCredentials> credentials)
    : CpsApplet(snIcc, std::move(credentials), kAuthKey, kSignKey) {}

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
            const Bytes acl =
                reference == (kAuthKey & 0x7F) ? *fromHex("A1068C0431111100") : *fromHex("A1058C03411100");
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
    const auto key = usableKey(credentials().authentication(), environment(0xA4).key == kAuthKey);
    if (!key)
        return {{}, key.error()};
    // The host's input (a DigestInfo for CKM_RSA_PKCS) is padded with PKCS#1 type 1 and signed.
    return outputOf(rsaSignPkcs1((*key)->key.get(), data));
}

CpsApplet::Reply IasEccApplet::securityOperation(const Apdu& apdu, const Bytes& data) {
    switch ((apdu.p1 << 8) | apdu.p2) {
    case 0x90A0: return hash(data);
    case 0x9E9A: return computeSignature(data);
    case 0x8086: return decipher(data);
    default: return {{}, kWrongP1P2};
    }
}

CpsApplet::Reply IasEccApplet::hash(const Bytes& data) {
    // PSO HASH: 90 (the host's SHA state + 8-byte bit counter, or empty) and 80 (the tail).
    const auto algorithm = environment(0xAA).algorithm;
    if (algorithm != 0x40 && algorithm != 0x10)
        return {{}, kConditionsNotSatisfied};
    const auto input = parseHashInput(data);
    if (!input)
        return {{}, kWrongData};
    auto digest = finishHash(algorithm == 0x40 ? HashAlgorithm::Sha256 : HashAlgorithm::Sha1, input->chaining,
                             input->bitsDone, input->tail);
    if (!digest)
        return {{}, kWrongData};
    m_hash = std::move(*digest);
    return {{}, kOk};
}

std::optional<IasEccApplet::HashInput> IasEccApplet::parseHashInput(const Bytes& data) {
    std::optional<Bytes> state, tail;
    for (std::size_t pos = 0; pos < data.size();) {
        const auto item = readTlv(data, pos);
        if (!item)
            return std::nullopt;
        if (item->tag == 0x90)
            state = item->value;
        else if (item->tag == 0x80)
            tail = item->value;
        else
            return std::nullopt;
    }
    if (!state || !tail)
        return std::nullopt;
    HashInput input{{}, 0, std::move(*tail)};
    if (!state->empty()) {
        if (state->size() < 8)
            return std::nullopt;
        input.chaining.assign(state->begin(), state->end() - 8);
        for (auto it = state->end() - 8; it != state->end(); ++it)
            input.bitsDone = (input.bitsDone << 8) | *it;
    }
    return input;
}

CpsApplet::Reply IasEccApplet::computeSignature(const Bytes& data) {
    // PSO COMPUTE DIGITAL SIGNATURE with the non-repudiation key: over the hash PSO HASH left, or a
    // bare hash given here.
    const auto key = usableKey(credentials().signature(), environment(0xB6).key == kSignKey);
    if (!key)
        return {{}, key.error()};
    const Bytes hash = data.empty() ? m_hash.value_or(Bytes{}) : data;
    m_hash.reset();
    if (hash.empty())
        return {{}, kConditionsNotSatisfied};
    const Bytes digestInfo = digestInfoFor(hash);
    if (digestInfo.empty())
        return {{}, kWrongData};
    return outputOf(rsaSignPkcs1((*key)->key.get(), digestInfo));
}

CpsApplet::Reply IasEccApplet::decipher(const Bytes& data) const {
    const auto key = usableKey(credentials().authentication(), environment(0xB8).key == kAuthKey);
    if (!key)
        return {{}, key.error()};
    if (data.empty() || data[0] != 0x81)
        return {{}, kWrongData}; // padding-indicator byte 81, then the cryptogram
    return outputOf(rsaDecryptPkcs1((*key)->key.get(), Bytes(data.begin() + 1, data.end())));
}

} // namespace cpslock::cardsim
