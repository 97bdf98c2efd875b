// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace cpslock::card {

/// Why the PKCS#11 half of "verify a CPS card" refused. The names returned by toString() are the
/// stable reason codes shared with core/Refusal.h; keep them 1:1.
enum class Pkcs11Failure {
    WrongPin,       ///< "wrong-pin": CKR_PIN_INCORRECT (tries left when the token tells)
    PinLocked,      ///< "pin-locked": CKF_USER_PIN_LOCKED or CKR_PIN_LOCKED
    LastTryRefused, ///< "last-try-refused": CKF_USER_PIN_FINAL_TRY and the policy refuses it
    Contactless,    ///< "contactless": token without a user PIN (contactless CPS3)
    KeyMismatch,    ///< "key-mismatch": the card's signature does not verify with the certificate
    NoCard,         ///< "no-card": no token for the reader name / card serial
    CardRemoved,    ///< "card-removed": token gone mid-way
    ModuleError,    ///< "module-error": module missing, C_Initialize failed, garbage answers
    CardNotUsable,  ///< "card-not-usable": the reader's slot has no usable token (hidden, not recognised)
    CardNeedsUpdate, ///< "card-needs-update": Cryptolib's CKR_ASIP_BAD_EF_ACTUA (0x80000001)
    CardNeedsReinit, ///< "card-needs-reinit": Cryptolib's CKR_ASIP_REINIT_NEEDED (0x80000002)
};

constexpr std::string_view toString(Pkcs11Failure f) {
    switch (f) {
    case Pkcs11Failure::WrongPin:
        return "wrong-pin";
    case Pkcs11Failure::PinLocked:
        return "pin-locked";
    case Pkcs11Failure::LastTryRefused:
        return "last-try-refused";
    case Pkcs11Failure::Contactless:
        return "contactless";
    case Pkcs11Failure::KeyMismatch:
        return "key-mismatch";
    case Pkcs11Failure::NoCard:
        return "no-card";
    case Pkcs11Failure::CardRemoved:
        return "card-removed";
    case Pkcs11Failure::ModuleError:
        return "module-error";
    case Pkcs11Failure::CardNotUsable:
        return "card-not-usable";
    case Pkcs11Failure::CardNeedsUpdate:
        return "card-needs-update";
    case Pkcs11Failure::CardNeedsReinit:
        return "card-needs-reinit";
    }
    return "module-error";
}

/// A refusal: reason code, technical detail for the log (never a PIN), tries left when known.
struct Pkcs11Error {
    Pkcs11Failure failure = Pkcs11Failure::ModuleError;
    std::string detail;
    std::optional<unsigned> triesLeft;
    unsigned long rv = 0; ///< the CK_RV behind the refusal; 0 (CKR_OK) when none
};

/// Value or refusal. Small on purpose: C++20 has no std::expected.
template <typename T> class Pkcs11Result {
public:
    Pkcs11Result(T value) : m_v(std::in_place_index<0>, std::move(value)) {}
    Pkcs11Result(Pkcs11Error error) : m_v(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return m_v.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() { return std::get<0>(m_v); }
    const T& value() const { return std::get<0>(m_v); }
    const Pkcs11Error& error() const { return std::get<1>(m_v); }

private:
    std::variant<T, Pkcs11Error> m_v;
};

/// For steps that return nothing but may refuse.
using Pkcs11Status = Pkcs11Result<std::monostate>;
inline Pkcs11Status pkcs11Ok() {
    return Pkcs11Status(std::monostate{});
}

inline Pkcs11Error makeError(Pkcs11Failure f, std::string detail, std::optional<unsigned> triesLeft = std::nullopt) {
    return Pkcs11Error{f, std::move(detail), triesLeft};
}

} // namespace cpslock::card
