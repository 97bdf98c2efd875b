// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Hex.h"
#include "core/Result.h"
#include "core/SecureBuffer.h"
#include "tools/cardsim/ApduTransport.h"

#include <openssl/types.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace cpslock::cardsim {

/// The PIV Authentication credential (slot 9A, object 5FC105) the simulated card carries.
/// The key is not checked against the certificate: negative tests give a mismatched pair.
struct PivCredentials {
    Bytes certificateDer;
    std::shared_ptr<EVP_PKEY> key; ///< RSA private key
    int keyBits = 0;
};

/// Parses a certificate (DER or PEM X.509) and an RSA private key (PKCS#8 DER, or PEM) from memory.
/// The error names the faulty input ("certificate: …" or "key: …").
Result<PivCredentials> parsePivCredentials(const Bytes& certificateFile, const Bytes& keyFile);

/// A PIV card application (NIST SP 800-73-4) reduced to what a PKCS#11 client needs for the PIV
/// Authentication key: SELECT, GET DATA (discovery, CCC, CHUID, certificate 9A), VERIFY of the
/// application PIN with a try counter, GENERAL AUTHENTICATE (raw RSA with key 9A), GET RESPONSE and
/// command chaining. Pure: no I/O, no logging (the PIN never leaves this object).
///
/// The PIN try counter belongs to the applet and survives resets and re-insertions (a blocked card
/// stays blocked); the verified state, the chaining buffer and pending response data do not.
class PivApplet {
public:
    /// The PIV AID without version: the right-truncated form SP 800-73-4 lets clients select.
    static constexpr std::array<std::uint8_t, 5> kAidPrefix{0xA0, 0x00, 0x00, 0x03, 0x08};

    /// @p pin: 4-8 digits (see validPin), copied into a locked, wiped buffer; @p tries: 1-15.
    PivApplet(PivCredentials credentials, std::string_view pin, int tries);
    PivApplet(const PivApplet&) = delete;
    PivApplet& operator=(const PivApplet&) = delete;

    static bool validPin(std::string_view pin);

    /// True when a SELECT by AID with @p aid designates this application.
    static bool matchesAid(const Bytes& aid);

    /// Power-on / reset / removal, or another application selected: the PIN is no longer
    /// verified; the try counter stays.
    void reset();

    /// The card this applet sits in; its EF.SN.ICC content goes into the CHUID's GUID so the
    /// PKCS#11 token serial ends with the CPS card number. Also a reset.
    void insertedInto(const Bytes& snIcc);

    /// SELECT by AID (the card already checked matchesAid): the Application Property Template.
    /// Selecting the application again while it is selected keeps the PIN verified.
    Bytes select(const Apdu& apdu);

    /// Any other command while the application is selected.
    Bytes process(const Apdu& apdu);

    int triesLeft() const { return m_triesLeft; }
    bool verified() const { return m_verified; }

private:
    using Reply = ApduReply;

    Reply dispatch(std::uint8_t ins, std::uint8_t p1, std::uint8_t p2, const Bytes& data);
    Reply getData(std::uint8_t p1, std::uint8_t p2, const Bytes& data) const;
    Reply verify(std::uint8_t p1, std::uint8_t p2, const Bytes& data);
    Reply generalAuthenticate(std::uint8_t p1, std::uint8_t p2, const Bytes& data) const;
    std::optional<std::uint8_t> algorithmId() const;

    PivCredentials m_credentials;
    SecureBuffer m_pin{8}; ///< padded with FF to 8 bytes, as VERIFY carries it
    int m_maxTries;
    int m_triesLeft;
    bool m_verified = false;
    Bytes m_chuid;
    ApduTransport m_transport;
};

} // namespace cpslock::cardsim
