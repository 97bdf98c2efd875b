// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Hex.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>

namespace cpslock::cardsim {

/// One command APDU, already split by the card (short APDUs only).
struct Apdu {
    std::uint8_t cla = 0, ins = 0, p1 = 0, p2 = 0;
    Bytes data;
    std::size_t le = 0; ///< Ne; meaningful only when hasLe
    bool hasLe = false;
};

/// Response data and status word of one command, before it is cut to Ne.
struct ApduReply {
    Bytes body;
    std::uint16_t sw = 0x9000;
};

/// The transport every simulated application shares (CPS and PIV alike): command chaining (ISO 7816-4
/// §5.1.1.1, CLA bit 10) and T=0 style answers, `61 xx` then GET RESPONSE. The chained data may be a
/// PIN: it is wiped whenever it is dropped.
class ApduTransport {
public:
    static constexpr std::uint8_t kChainingBit = 0x10;

    ApduTransport() = default;
    ~ApduTransport();
    ApduTransport(const ApduTransport&) = delete;
    ApduTransport& operator=(const ApduTransport&) = delete;

    /// Drops the chain so far and the answer not yet fetched.
    void reset();

    /// Answers @p apdu, its class already accepted: GET RESPONSE (C0) from the pending answer, a
    /// chained command kept, else @p dispatch with the data of the whole chain.
    Bytes exchange(const Apdu& apdu, const std::function<ApduReply(const Bytes& data)>& dispatch);

    /// Hands out @p body in pieces: at most Ne bytes now, `61 xx` announcing the rest.
    Bytes respond(Bytes body, const Apdu& apdu);

private:
    Bytes getResponse(const Apdu& apdu);
    Bytes addToChain(const Apdu& apdu);
    Bytes takeChainedData(const Apdu& apdu);
    void dropChain();
    Bytes nextPiece(std::size_t ne);

    Bytes m_chain; ///< data of a command chain so far
    std::optional<std::uint8_t> m_chainIns;
    Bytes m_pending; ///< response data not yet fetched with GET RESPONSE
};

} // namespace cpslock::cardsim
