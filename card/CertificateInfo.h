#pragma once

#include "core/Hex.h"

#include <chrono>
#include <optional>
#include <span>
#include <string>

namespace cpslock::card {

/// What a certificate says, for display (`cpslock card`): nothing here is a trust decision.
struct CertificateInfo {
    std::string subject; ///< one-line, UTF-8
    std::string issuer;
    std::string serialHex;
    std::string sha256Hex; ///< lower-case
    std::chrono::system_clock::time_point notBefore{};
    std::chrono::system_clock::time_point notAfter{};
};

/// nullopt when the bytes are not one DER X.509 certificate.
std::optional<CertificateInfo> describeCertificate(std::span<const std::uint8_t> der);

/// "2026-06-01T12:00:00Z".
std::string isoUtc(std::chrono::system_clock::time_point t);

} // namespace cpslock::card
