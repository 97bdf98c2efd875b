#pragma once

// Fakes for the PAM module's flow: a scripted helper and a recorded conversation.
#include "pam/Authenticator.h"

#include <chrono>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace cpslock::pam::test {

/// What a FakeHelper saw; outlives the helper (the flow destroys the channel before it returns).
struct FakeHelperRecord {
    std::string secretSeen; ///< what sendSecret got
    int secretsSent = 0;
    bool finished = false;
    std::vector<std::chrono::milliseconds> readTimeouts;
};

class FakeHelper final : public HelperChannel {
public:
    explicit FakeHelper(FakeHelperRecord& record) : m_record(record) {}

    struct Step {
        ReadStatus status = ReadStatus::Line;
        std::string line;
    };
    std::deque<Step> steps; ///< answers to readLine, in order; empty = Closed
    bool acceptSecret = true;
    Exit exit{true, 0};

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
    Exit finish(std::chrono::milliseconds /*grace*/) override {
        m_record.finished = true;
        return exit;
    }

private:
    FakeHelperRecord& m_record;
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

/// A launcher handing out one prepared FakeHelper (kept alive by the test through `observed`).
struct FakeLauncher {
    FakeHelperRecord record;
    FakeHelper* observed = nullptr; ///< valid until the flow ends the helper
    std::vector<std::string> args;
    bool fail = false;
    std::unique_ptr<FakeHelper> next = std::make_unique<FakeHelper>(record);

    FakeLauncher() { observed = next.get(); }

    HelperLauncher launcher() {
        return [this](const std::vector<std::string>& a, std::string& error) -> std::unique_ptr<HelperChannel> {
            args = a;
            if (fail) {
                error = "no such file";
                return nullptr;
            }
            return std::move(next);
        };
    }
};

} // namespace cpslock::pam::test
