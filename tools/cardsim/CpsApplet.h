// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Result.h"
#include "tools/cardsim/ApduTransport.h"
#include "tools/cardsim/CpsCredentials.h"
#include "tools/cardsim/CpsFileSystem.h"
#include "tools/cardsim/PivApplet.h"

#include <map>
#include <memory>
#include <optional>

namespace cpslock::cardsim {

/// What CPS3 (IAS-ECC "CPx", IasEccApplet) and CPS4 (ChipDoc, ChipDocApplet) share: the transport
/// (T=0 `61 xx` + GET RESPONSE, command chaining), the file tree with SELECT and READ BINARY,
/// CHV 1 and MANAGE SECURITY ENVIRONMENT. docs/reference/cpx-card.md is the specification.
/// Pure: no I/O, no logging (the PIN never leaves CpsCredentials).
class CpsApplet {
public:
    virtual ~CpsApplet() = default;
    CpsApplet(const CpsApplet&) = delete;
    CpsApplet& operator=(const CpsApplet&) = delete;

    /// Power-on / reset / removal: MF selected, CHV 1 no longer verified, security environments,
    /// pending answers and chains dropped. The try counter stays (CpsCredentials).
    void reset();

    /// Answers one command APDU (response data + status word).
    Bytes process(const Apdu& apdu);

    bool verified() const { return m_verified; }
    int triesLeft() const { return m_credentials->triesLeft(); }

protected:
    using Reply = ApduReply;
    /// One CRT of the security environment (MSE SET): algorithm reference and key reference.
    struct Environment {
        std::optional<std::uint8_t> algorithm;
        std::optional<std::uint8_t> key;
    };

    /// @p authKeyReference / @p signKeyReference: how this card names its two keys.
    CpsApplet(const Bytes& snIcc, std::shared_ptr<CpsCredentials> credentials, std::uint8_t authKeyReference,
              std::uint8_t signKeyReference);

    /// Whether this card answers class byte @p cla (chaining bit already removed).
    virtual bool acceptsClass(std::uint8_t cla) const = 0;
    /// Every instruction but GET RESPONSE, with the data of a finished chain.
    virtual Reply dispatch(const Apdu& apdu, const Bytes& data) = 0;
    /// SELECT by AID of something other than a DF of the file tree.
    virtual std::optional<Reply> selectOtherAid(const Bytes&) { return std::nullopt; }
    /// Whether SELECT with P2 = 00 answers an FCI (`6F`) rather than an FCP (`62`).
    virtual bool fciForP2Zero() const { return false; }

    Reply select(const Apdu& apdu, const Bytes& data);
    Reply readBinary(const Apdu& apdu);
    /// VERIFY of CHV 1; @p queryShowsCounter: a VERIFY without data always answers the counter
    /// (CPS4), not `90 00` once verified (CPS3).
    Reply verify(const Apdu& apdu, const Bytes& data, bool queryShowsCounter);
    /// MSE SET: keeps tags 80 (algorithm), 83/84 (key) and 91 (algorithm + key) per CRT.
    Reply manageSecurityEnvironment(const Apdu& apdu, const Bytes& data);

    const Environment& environment(std::uint8_t crt) const;
    /// The key of a private-key operation, when the security environment names it (@p named) and
    /// CHV 1 is verified; else the status word refusing the operation.
    Result<const PivCredentials*, std::uint16_t> usableKey(const PivCredentials* key, bool named) const;
    /// The answer of a private-key operation: its output, or 6A80 when it failed.
    static Reply outputOf(std::optional<Bytes> output);
    const CpsFileSystem& files() const { return m_files; }
    const CpsCredentials& credentials() const { return *m_credentials; }

    /// Hash finished by PSO HASH, waiting for PSO COMPUTE DIGITAL SIGNATURE.
    std::optional<Bytes> m_hash;

private:
    std::optional<int> selectTarget(std::uint8_t p1, const Bytes& data) const;
    void makeCurrent(int file);

    CpsFileSystem m_files;
    std::shared_ptr<CpsCredentials> m_credentials;
    int m_currentDf = CpsFileSystem::kMf;
    std::optional<int> m_currentEf;
    bool m_verified = false;
    std::map<std::uint8_t, Environment> m_environments;
    ApduTransport m_transport;
};

/// The card's content for @p credentials (no keys: no PKCS#15 application) with these key references.
CpsCardContent cpsContent(const Bytes& snIcc, const CpsCredentials& credentials, std::uint8_t authKeyReference,
                          std::uint8_t signKeyReference);

} // namespace cpslock::cardsim
