// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Refusal.h"
#include "core/Result.h"
#include "protocol/Fields.h"

#include <optional>
#include <string>
#include <string_view>

namespace cpslock::protocol {

/// One line of an `auth` exchange, from the worker to cpslockd and from cpslockd to the PAM module
/// (docs/protocol.md). Both hops speak the same lines; cpslockd adds `ticket=` to `ok`.
struct AuthAnswer {
    enum class Kind {
        WaitingCard, ///< `waiting-card`: no card yet, the worker waits (wait=)
        Ready,       ///< `ready tries=N final=0|1 reader=R`: ask the PIN now
        Refused,     ///< `refused REASON tries=N fr=F en=E detail=D`: final
        Ok,          ///< `ok user=U reader=R serial=S cert=HEX [ticket=T] [policies=P type=C issuer=K] holder=H`
    };
    Kind kind = Kind::Refused;
    std::optional<int> triesLeft;                      ///< ready / refused: when the card told
    bool finalTry = false;                             ///< ready: one try left
    std::string reader;                                ///< ready, ok
    RefusalReason reason = RefusalReason::ModuleError; ///< refused
    std::string messageFr; ///< refused: for the screen (may be empty: the module's own text then)
    std::string messageEn;
    std::string detail;      ///< refused: technical, for the debug log
    std::string user;        ///< ok: the account the card was checked for
    std::string serial;      ///< ok: CPS serial
    std::string certSha256;  ///< ok
    std::string holder;      ///< ok: holder's name, for the debug log
    std::string ticket;      ///< ok from cpslockd: attaches this verification to a session (open_session)
    std::string policies;    ///< ok: the certificate's policy OIDs, comma-separated (for the audit)
    std::string cardType;    ///< ok: card type from the card-type extension (cps, cpf, cpe, cpa)
    std::string issuerKeyId; ///< ok: key id of the issuing CA
};

/// Parses one line (without its '\n'). Strict: unknown verb, unknown reason, duplicate key, bad
/// number or bad escape all fail (the error says why, for the debug log). Unknown keys are ignored
/// so a newer side may add information.
Result<AuthAnswer> parseAnswer(std::string_view line);

/// The line for `answer`, with its '\n'. Fields are truncated so the line fits kMaxLineLength.
std::string formatAnswer(const AuthAnswer& answer);

/// A refusal as an answer line (messages in both languages from core/Refusal).
AuthAnswer refusedAnswer(const Refusal& refusal);

} // namespace cpslock::protocol
