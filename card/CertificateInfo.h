// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Hex.h"

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace cpslock::card {

/// What a certificate says, for display (`cpslock card`): nothing here is a trust decision.
struct CertificateInfo {
    std::string subject; ///< one-line, UTF-8
    std::string issuer;
    std::string serialHex;
    std::string sha256Hex; ///< lower-case
    std::chrono::system_clock::time_point notBefore{};
    std::chrono::system_clock::time_point notAfter{};
    // Card origin: the ANS extensions (card/CardProfile.h), as read, undecided.
    std::optional<int> productCategory;  ///< 1.2.250.1.71.1.2.5 (00 CPx, 80 CPx de TEST, 03/83 software)
    std::optional<long> cardTypeCode;    ///< 1.2.250.1.71.1.2.2 (0 CPS, 1 CPF, 2 CPE, 3 CPA)
    std::optional<std::string> tokenId;  ///< 1.2.250.1.71.1.2.3 "8025000001/<card serial>"
    std::string originError;             ///< an origin extension present twice or undecodable
    std::vector<std::string> policyOids; ///< certificatePolicies, dotted
    std::string authorityKeyId;          ///< the issuing CA's key identifier, upper-case hex
};

/// nullopt when the bytes are not one DER X.509 certificate.
std::optional<CertificateInfo> describeCertificate(std::span<const std::uint8_t> der);

/// "2026-06-01T12:00:00Z".
std::string isoUtc(std::chrono::system_clock::time_point t);

} // namespace cpslock::card
