// SPDX-License-Identifier: EUPL-1.2
#include "tools/cardsim/ApduTransport.h"

#include "tools/cardsim/CardTlv.h"

#include <openssl/crypto.h>

#include <algorithm>

namespace cpslock::cardsim {
namespace {

constexpr std::size_t kMaxChain = 4096; // more than a 3072-bit GENERAL AUTHENTICATE needs

} // namespace

ApduTransport::~ApduTransport() {
    OPENSSL_cleanse(m_chain.data(), m_chain.size());
}

void ApduTransport::reset() {
    dropChain();
    m_pending.clear();
}

void ApduTransport::dropChain() {
    OPENSSL_cleanse(m_chain.data(), m_chain.size());
    m_chain.clear();
    m_chainIns.reset();
}

Bytes ApduTransport::exchange(const Apdu& apdu, const std::function<ApduReply(const Bytes& data)>& dispatch) {
    if (apdu.ins == 0xC0)
        return (apdu.cla & kChainingBit) ? sw(kClaNotSupported) : getResponse(apdu);
    m_pending.clear();
    if (apdu.cla & kChainingBit)
        return addToChain(apdu);
    Bytes data = takeChainedData(apdu);
    ApduReply reply = dispatch(data);
    OPENSSL_cleanse(data.data(), data.size()); // VERIFY data is the PIN
    if (reply.sw != kOk || reply.body.empty())
        return sw(reply.sw);
    return respond(std::move(reply.body), apdu);
}

Bytes ApduTransport::addToChain(const Apdu& apdu) {
    // Keep the data until the last command of the chain.
    if (m_chainIns != apdu.ins) {
        OPENSSL_cleanse(m_chain.data(), m_chain.size());
        m_chain.clear();
    }
    if (m_chain.size() + apdu.data.size() > kMaxChain) {
        dropChain();
        return sw(kWrongLength);
    }
    m_chainIns = apdu.ins;
    m_chain.insert(m_chain.end(), apdu.data.begin(), apdu.data.end());
    return sw(kOk);
}

Bytes ApduTransport::takeChainedData(const Apdu& apdu) {
    Bytes data;
    if (m_chainIns == apdu.ins)
        data = m_chain;
    data.insert(data.end(), apdu.data.begin(), apdu.data.end());
    dropChain();
    return data;
}

Bytes ApduTransport::getResponse(const Apdu& apdu) {
    if (apdu.p1 != 0x00 || apdu.p2 != 0x00)
        return sw(kWrongP1P2);
    if (m_pending.empty())
        return sw(kConditionsNotSatisfied);
    return nextPiece(apdu.hasLe ? apdu.le : 256);
}

Bytes ApduTransport::respond(Bytes body, const Apdu& apdu) {
    m_pending = std::move(body);
    // Without Le (what a T=0 transport sends for a case-4 command) nothing goes out now: the
    // client asks for it with GET RESPONSE after `61 xx`, as on a real T=0 card.
    return nextPiece(apdu.hasLe ? apdu.le : 0);
}

Bytes ApduTransport::nextPiece(std::size_t ne) {
    const std::size_t n = std::min(ne, m_pending.size());
    Bytes out(m_pending.begin(), m_pending.begin() + static_cast<std::ptrdiff_t>(n));
    m_pending.erase(m_pending.begin(), m_pending.begin() + static_cast<std::ptrdiff_t>(n));
    if (m_pending.empty()) {
        appendSw(out, kOk);
    } else {
        // 61 00: 256 or more bytes are waiting.
        appendSw(out, static_cast<std::uint16_t>(0x6100 | (std::min<std::size_t>(m_pending.size(), 256) & 0xFF)));
    }
    return out;
}

} // namespace cpslock::cardsim
