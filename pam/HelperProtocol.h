#pragma once

#include "core/Refusal.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace cpslock::pam {

/// One line of cpslock-auth's answer (docs/pam.md, "The module ↔ helper protocol"). A line is
/// `VERB key=value ...`, values percent-escaped (escapeField), at most kMaxLineLength bytes + '\n'.
struct HelperAnswer {
    enum class Kind {
        WaitingCard, ///< `waiting-card`: no card yet, the helper waits (wait_card)
        Ready,       ///< `ready tries=N final=0|1 reader=R`: ask the PIN now
        Refused,     ///< `refused REASON tries=N fr=F en=E detail=D`: final
        Ok,          ///< `ok user=U serial=S cert=HEX holder=H`: final, verified
    };
    Kind kind = Kind::Refused;
    std::optional<int> triesLeft;                      ///< ready / refused: when the card told
    bool finalTry = false;                             ///< ready: one try left
    std::string reader;                                ///< ready
    RefusalReason reason = RefusalReason::ModuleError; ///< refused
    std::string messageFr; ///< refused: for the screen (may be empty: the module's own text then)
    std::string messageEn;
    std::string detail;     ///< refused: technical, for the debug log
    std::string user;       ///< ok: the account the card was checked for
    std::string serial;     ///< ok: CPS serial
    std::string certSha256; ///< ok
    std::string holder;     ///< ok: holder's name, for the debug log
};

inline constexpr std::size_t kMaxLineLength = 4096;

/// Percent-escapes '%', space, '=' and every control byte; UTF-8 passes through.
std::string escapeField(std::string_view value);
/// Inverse of escapeField; nullopt on a malformed escape, a raw space/control byte or an escaped NUL.
std::optional<std::string> unescapeField(std::string_view field);

struct ParsedAnswer {
    std::optional<HelperAnswer> answer;
    std::string error; ///< why the line was refused (for the debug log)
};

/// Parses one line (without its '\n'). Strict: unknown verb, unknown reason, duplicate key, bad
/// number or bad escape all fail. Unknown keys are ignored so the helper may add information.
ParsedAnswer parseAnswer(std::string_view line);

/// The line for `answer`, with its '\n'. Fields are truncated so the line fits kMaxLineLength.
std::string formatAnswer(const HelperAnswer& answer);

} // namespace cpslock::pam
