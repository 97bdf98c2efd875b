// SPDX-License-Identifier: EUPL-1.2
#pragma once

// Fakes for the PAM module's flow: a scripted cpslockd exchange and a recorded conversation.
#include "pam/Authenticator.h"

#include <chrono>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace cpslock::pam::test {

/// What a FakeDaemon saw; outlives the channel (the flow destroys the channel before it returns).
struct FakeDaemonRecord {
    std::string secretSeen; ///< what sendSecret got
    int secretsSent = 0;
    bool finished = false; ///< the channel was closed (destroyed)
    std::vector<std::chrono::milliseconds> readTimeouts;
};

class FakeDaemon final : public AuthChannel {
public:
    explicit FakeDaemon(FakeDaemonRecord& record) : m_record(record) {}
    ~FakeDaemon() override { m_record.finished = true; }
    FakeDaemon(const FakeDaemon&) = delete;
    FakeDaemon& operator=(const FakeDaemon&) = delete;

    struct Step {
        ReadStatus status = ReadStatus::Line;
        std::string line;
    };
    std::deque<Step> steps; ///< answers to readLine, in order; empty = Closed
    bool acceptSecret = true;

    ReadStatus readLine(std::string& line, std::chrono::milliseconds timeout) override {
        m_record.readTimeouts.push_back(timeout);
        if (steps.empty())
            return ReadStatus::Closed;
        Step step = steps.front();
        steps.pop_front();
        line = step.line;
        return step.status;
    }
    bool sendSecret(const char* data, std::size_t size) override {
        ++m_record.secretsSent;
        m_record.secretSeen.assign(data, size);
        return acceptSecret;
    }

private:
    FakeDaemonRecord& m_record;
};

class FakeConversation final : public Conversation {
public:
    std::optional<std::string> pin = std::string("1234"); ///< nullopt: the conversation fails
    std::vector<std::string> prompts;
    std::vector<std::string> errors;
    std::vector<std::string> infos;

    std::optional<SecretReply> askSecret(const std::string& prompt) override {
        prompts.push_back(prompt);
        if (!pin)
            return std::nullopt;
        return std::optional<SecretReply>(std::in_place, strdup(pin->c_str()));
    }
    void showError(const std::string& message) override { errors.push_back(message); }
    void showInfo(const std::string& message) override { infos.push_back(message); }
};

/// A connector handing out one prepared FakeDaemon (kept alive by the test through `observed`).
struct FakeConnector {
    FakeDaemonRecord record;
    FakeDaemon* observed = nullptr; ///< valid until the flow ends the exchange
    std::optional<protocol::Request> request;
    bool fail = false; ///< nobody listens on the socket
    std::unique_ptr<FakeDaemon> next = std::make_unique<FakeDaemon>(record);

    FakeConnector() { observed = next.get(); }

    AuthConnector connector() {
        return [this](const protocol::Request& r) -> Result<std::unique_ptr<AuthChannel>> {
            request = r;
            if (fail)
                return Error{"/run/cpslock/cpslockd.sock: Connection refused"};
            return std::unique_ptr<AuthChannel>(std::move(next));
        };
    }
};

} // namespace cpslock::pam::test
