// SPDX-License-Identifier: EUPL-1.2
#include "agent/tray/CardInspector.h"

#include "core/Refusal.h"
#include "protocol/DaemonClient.h"

#include <mutex>

namespace cpslock::agent {

namespace {

class DaemonInspector final : public CardInspector {
public:
    explicit DaemonInspector(std::string socket) : m_socket(std::move(socket)) {}

    CardSummary inspect(const std::shared_ptr<const policy::Policy>& /*policy: cpslockd's applies*/,
                        const std::string& reader, const std::string& serial) override {
        // One card conversation at a time from this agent.
        const std::lock_guard lock(m_mutex);
        CardSummary s;
        s.reader = reader;
        s.serial = serial;
        const protocol::DaemonClient client(m_socket, std::chrono::seconds(40));
        const auto outcome = client.call(protocol::Request{protocol::Verb::CardInfo, {{"reader", reader}}});
        if (!outcome) {
            s.error = outcome.error().message;
            return s;
        }
        const protocol::Reply& r = *outcome;
        if (!r.ok) {
            s.error = r.code + ": " + r.get("detail");
            return s;
        }
        if (!r.get("serial").empty())
            s.serial = r.get("serial");
        s.holderName = r.get("holder");
        s.profession = r.get("profession");
        s.certSha256 = r.get("cert");
        if (const auto seconds = protocol::parseUnsigned(r.get("not_after"), UINT64_MAX))
            s.notAfter = std::chrono::system_clock::time_point(std::chrono::seconds(static_cast<long long>(*seconds)));
        if (const auto reason = refusalReasonFromString(r.get("refusal"))) {
            s.refusalFr = userMessage(*reason, Language::French);
            s.refusalEn = userMessage(*reason, Language::English);
        }
        return s;
    }

private:
    std::string m_socket;
    std::mutex m_mutex;
};

} // namespace

std::shared_ptr<CardInspector> makeCardInspector(std::string daemonSocket) {
    return std::make_shared<DaemonInspector>(std::move(daemonSocket));
}

} // namespace cpslock::agent
