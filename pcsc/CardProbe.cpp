// SPDX-License-Identifier: EUPL-1.2
#include "pcsc/CardProbe.h"

#include "pcsc/AtrTable.h"
#include "pcsc/PcscError.h"
#include "pcsc/SnIcc.h"

#include <array>
#include <optional>

namespace cpslock::pcsc {
namespace {

constexpr std::uint16_t kSwOk = 0x9000;
constexpr std::size_t kSnIccSize = 12;

struct Response {
    Bytes data;
    std::uint16_t sw = 0;
};

class CardConnection {
public:
    CardConnection(SCARDCONTEXT context, const std::string& reader) {
        m_rv = SCardConnect(context, reader.c_str(), SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
                            &m_handle, &m_protocol);
        if (m_rv == SCARD_S_SUCCESS) {
            m_connected = true;
            m_rv = SCardBeginTransaction(m_handle);
            m_inTransaction = m_rv == SCARD_S_SUCCESS;
        }
    }
    ~CardConnection() {
        if (m_inTransaction)
            SCardEndTransaction(m_handle, SCARD_LEAVE_CARD);
        if (m_connected)
            SCardDisconnect(m_handle, SCARD_LEAVE_CARD);
    }
    CardConnection(const CardConnection&) = delete;
    CardConnection& operator=(const CardConnection&) = delete;

    bool ok() const { return m_inTransaction; }
    LONG error() const { return m_rv; }
    int apdus() const { return m_apdus; }

    /// Sends one APDU, following 61xx (GET RESPONSE) and 6Cxx (wrong Le) as ISO 7816-4 says.
    std::optional<Response> transmit(Bytes apdu) {
        for (int round = 0; round < 4; ++round) {
            std::array<std::uint8_t, 258> buffer{};
            DWORD length = buffer.size();
            const SCARD_IO_REQUEST* pci = m_protocol == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
            ++m_apdus;
            m_rv = SCardTransmit(m_handle, pci, apdu.data(), apdu.size(), nullptr, buffer.data(), &length);
            if (m_rv != SCARD_S_SUCCESS || length < 2 || length > buffer.size())
                return std::nullopt;
            const std::uint8_t sw1 = buffer[length - 2];
            const std::uint8_t sw2 = buffer[length - 1];
            if (sw1 == 0x6C && apdu.size() >= 5) {
                apdu.back() = sw2; // resend with the length the card asked for
                continue;
            }
            if (sw1 == 0x61) {
                apdu = {0x00, 0xC0, 0x00, 0x00, sw2};
                continue;
            }
            return Response{Bytes(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(length - 2)),
                            static_cast<std::uint16_t>((sw1 << 8) | sw2)};
        }
        return std::nullopt;
    }

private:
    SCARDHANDLE m_handle = 0;
    DWORD m_protocol = 0;
    LONG m_rv = SCARD_S_SUCCESS;
    bool m_connected = false;
    bool m_inTransaction = false;
    int m_apdus = 0;
};

bool selected(const std::optional<Response>& r) {
    return r && r->sw == kSwOk;
}

ProbeResult unreadable(std::string detail, int apdus) {
    return {CardKind::Unreadable, {}, std::move(detail), apdus};
}

} // namespace

ProbeResult probeCard(SCARDCONTEXT context, const std::string& reader, std::span<const std::uint8_t> atr) {
    const AtrMatch match = classifyAtr(atr);
    if (!isCps(match.kind))
        return {match.kind, {}, {}, 0};

    CardConnection card(context, reader);
    if (!card.ok())
        return unreadable("connect: " + describe(card.error()), 0);

    // EF.SN.ICC is readable without PIN: select 3F00/D003 by path, else MF then FID
    // (not every card accepts both forms; unverified on a real CPS4).
    bool found = selected(card.transmit({0x00, 0xA4, 0x08, 0x0C, 0x02, 0xD0, 0x03}));
    if (!found) {
        found = selected(card.transmit({0x00, 0xA4, 0x00, 0x0C, 0x02, 0x3F, 0x00})) &&
                selected(card.transmit({0x00, 0xA4, 0x02, 0x0C, 0x02, 0xD0, 0x03}));
    }
    if (!found)
        return unreadable("EF.SN.ICC (3F00/D003) cannot be selected", card.apdus());

    const auto file = card.transmit({0x00, 0xB0, 0x00, 0x00, static_cast<std::uint8_t>(kSnIccSize)});
    if (!file)
        return unreadable("READ BINARY EF.SN.ICC: " + describe(card.error()), card.apdus());
    if (file->sw != kSwOk) {
        char sw[8];
        (void)std::snprintf(sw, sizeof sw, "%04X", file->sw);
        return unreadable(std::string("READ BINARY EF.SN.ICC: status ") + sw, card.apdus());
    }

    const auto serial = parseSnIcc(file->data);
    if (serial)
        return {match.kind, *serial, {}, card.apdus()};
    if (serial.error().kind == SnIccError::Kind::WrongIssuer)
        return {CardKind::Other, {}, serial.error().message, card.apdus()};
    return unreadable(serial.error().message, card.apdus());
}

} // namespace cpslock::pcsc
