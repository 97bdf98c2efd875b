// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Result.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace cpslock::protocol {

/// What a client asks cpslockd: the first line of every connection (docs/protocol.md). Callers are
/// untrusted: parsing is strict (unknown verb or key, missing key, malformed value: refused).
enum class Verb {
    Auth,          ///< `auth user=U [session=S] [wait=N] [timeout=N]`: verify a card for U; then the auth lines
    Attach,        ///< `attach ticket=T session=S`: a login's verification → the session it opened
    SessionCard,   ///< `session-card session=S`: the card verified for S
    SessionLocked, ///< `session-locked session=S generation=N`: S locked; older verifications retire
    ReportLost,    ///< `report-lost [session=S] [serial=N]`: refuse this card from now on
    Ping,          ///< `ping`: is cpslockd there (version)
    CardInfo,      ///< `card-info reader=R`: what the card in R says without its PIN (the tray's details)
};

std::string_view toString(Verb verb);

struct Request {
    Verb verb = Verb::Ping;
    std::map<std::string, std::string> fields;

    /// The field's value, or empty when absent.
    std::string get(const std::string& key) const;
    bool has(const std::string& key) const { return fields.count(key) != 0; }
};

/// The request on `line`, or why it was refused (returned to the caller, audited).
Result<Request> parseRequest(std::string_view line);
std::string formatRequest(const Request& request);

/// The answer to every verb but auth: `done key=value...` or `error CODE detail=D`.
struct Reply {
    bool ok = false;
    std::string code; ///< error only: bad-request, forbidden, unknown-session, no-card, quota, busy, internal
    std::map<std::string, std::string> fields;

    std::string get(const std::string& key) const;
};

Result<Reply> parseReply(std::string_view line);
std::string formatReply(const Reply& reply);
Reply errorReply(std::string code, std::string detail);

/// A PAM user name that may travel on the socket: 1..256 bytes, no control character or space, no
/// leading '-' and no '/'. Else why not.
Result<void> checkUserName(std::string_view user);
/// A logind session id: 1..64 of [A-Za-z0-9_-].
bool validSessionId(std::string_view id);
/// A CPS serial as EF.SN.ICC gives it: 1..20 decimal digits.
bool validSerial(std::string_view serial);
/// A ticket: 32 lower-case hex digits.
bool validTicket(std::string_view ticket);
std::optional<std::uint64_t> parseUnsigned(std::string_view text, std::uint64_t max);

} // namespace cpslock::protocol
