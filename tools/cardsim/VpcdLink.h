// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Hex.h"
#include "core/Result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace cpslock::cardsim {

/// One message from vpcd: a 1-byte control or a command APDU.
struct VpcdMessage {
    enum class Kind { PowerOff, PowerOn, Reset, GetAtr, UnknownControl, Apdu };
    Kind kind = Kind::Apdu;
    Bytes apdu;
    std::uint8_t control = 0;
};

/// The card's side of vpcd's socket: connect = card inserted, close = card removed. Every message
/// both ways is a 2-byte big-endian length then the bytes.
class VpcdLink {
public:
    VpcdLink() = default;
    ~VpcdLink();
    VpcdLink(const VpcdLink&) = delete;
    VpcdLink& operator=(const VpcdLink&) = delete;

    /// Connects to vpcd; fails when nobody listens there.
    Result<void> connect(const std::string& host, std::uint16_t port);
    void close();
    bool connected() const { return m_fd >= 0; }
    int fd() const { return m_fd; }

    /// Reads what the socket has (call when poll says readable). Returns false when vpcd closed the
    /// connection or sent something impossible; complete messages are queued for next().
    bool receive();
    std::optional<VpcdMessage> next();
    bool send(const Bytes& payload);

private:
    int m_fd = -1;
    Bytes m_inbox;
};

} // namespace cpslock::cardsim
