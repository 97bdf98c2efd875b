// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cpslock {

/// One audit record as the agent sends it: the guard's AuditEvent plus what only the host knows (card
/// traffic, lock failures, policy reloads, lockers found). Never carries a PIN.
struct AuditRecord {
    enum class Severity { Info, Warning, Error };

    std::string kind; ///< stable name: "card-removed", "lock", "lock-failed", "policy-refused"...
    Severity severity = Severity::Info;
    std::string message; ///< one human line, French then English when shown to users
    std::vector<std::pair<std::string, std::string>> fields; ///< extra key=value ("reader", "serial"...)

    /// The value of a field, empty when absent.
    std::string field(std::string_view key) const {
        for (const auto& [k, v] : fields) {
            if (k == key)
                return v;
        }
        return {};
    }
};

/// Where audit records go (journald with a MESSAGE_ID per kind, syslog, stderr). Called on the host's
/// event-loop thread; must not block for long.
class AuditSink {
public:
    virtual ~AuditSink() = default;
    virtual void write(const AuditRecord& record) = 0;
};

} // namespace cpslock
