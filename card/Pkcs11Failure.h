// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Result.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace cpslock::card {

/// Why the PKCS#11 half of "verify a CPS card" refused. The names returned by toString() are the
/// stable reason codes shared with core/Refusal.h; keep them 1:1.
enum class Pkcs11Failure {
    WrongPin,        ///< "wrong-pin": CKR_PIN_INCORRECT (tries left when the token tells)
    PinLocked,       ///< "pin-locked": CKF_USER_PIN_LOCKED or CKR_PIN_LOCKED
    LastTryRefused,  ///< "last-try-refused": CKF_USER_PIN_FINAL_TRY and the policy refuses it
    Contactless,     ///< "contactless": token without a user PIN (contactless CPS3)
    KeyMismatch,     ///< "key-mismatch": the card's signature does not verify with the certificate
    NoCard,          ///< "no-card": no token for the reader name / card serial
    CardRemoved,     ///< "card-removed": token gone mid-way
    ModuleError,     ///< "module-error": module missing, C_Initialize failed, garbage answers
    CardNotUsable,   ///< "card-not-usable": the reader's slot has no usable token (hidden, not recognised)
    CardNeedsUpdate, ///< "card-needs-update": Cryptolib's CKR_ASIP_BAD_EF_ACTUA (0x80000001)
    CardNeedsReinit, ///< "card-needs-reinit": Cryptolib's CKR_ASIP_REINIT_NEEDED (0x80000002)
};

constexpr std::string_view toString(Pkcs11Failure f) {
    switch (f) {
    case Pkcs11Failure::WrongPin: return "wrong-pin";
    case Pkcs11Failure::PinLocked: return "pin-locked";
    case Pkcs11Failure::LastTryRefused: return "last-try-refused";
    case Pkcs11Failure::Contactless: return "contactless";
    case Pkcs11Failure::KeyMismatch: return "key-mismatch";
    case Pkcs11Failure::NoCard: return "no-card";
    case Pkcs11Failure::CardRemoved: return "card-removed";
    case Pkcs11Failure::ModuleError: return "module-error";
    case Pkcs11Failure::CardNotUsable: return "card-not-usable";
    case Pkcs11Failure::CardNeedsUpdate: return "card-needs-update";
    case Pkcs11Failure::CardNeedsReinit: return "card-needs-reinit";
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

/// Value or refusal: the one Result template (core/Result.h) with the PKCS#11 refusal inside.
template <typename T> using Pkcs11Result = Result<T, Pkcs11Error>;

/// For steps that return nothing but may refuse.
using Pkcs11Status = Result<void, Pkcs11Error>;
inline Pkcs11Status pkcs11Ok() {
    return {};
}

/// The PKCS#11 counterpart of fail().
inline Pkcs11Error makeError(Pkcs11Failure f, std::string detail, std::optional<unsigned> triesLeft = std::nullopt) {
    return Pkcs11Error{f, std::move(detail), triesLeft};
}

} // namespace cpslock::card
