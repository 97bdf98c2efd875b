// SPDX-License-Identifier: EUPL-1.2
// cpslockd-worker's side of the auth lines, with a scripted card check and real pipes.
#include "daemon/worker/WorkerSession.h"
#include "core/SecureBuffer.h"

#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

using cpslock::Refusal;
using cpslock::RefusalReason;
using cpslock::SecureBuffer;
using cpslock::card::CardReady;
using cpslock::card::VerifyResult;
using cpslock::worker::parseWorkerArgs;
using cpslock::worker::runWorkerSession;
using cpslock::worker::WorkerArgs;

namespace {

VerifyResult refusedWith(RefusalReason reason, std::optional<int> tries = std::nullopt) {
    VerifyResult r;
    r.refusal = Refusal{reason, "technical " + std::string(toString(reason)), tries};
    return r;
}

VerifyResult verified() {
    VerifyResult r;
    r.card = cpslock::card::CardInReader{"Virtual PCD 00 00", cpslock::CardKind::Cps3, "0123456789", {}};
    r.certSha256 = "ab12";
    cpslock::card::HolderIdentity holder;
    holder.givenName = "Jeanne";
    holder.surname = "Martin";
    holder.idNat = "810002813839";
    r.holder = holder;
    return r;
}

class ScriptedCheck final : public cpslock::worker::CardCheck {
public:
    std::deque<VerifyResult> prepares;
    std::deque<bool> events;
    VerifyResult verifyResult = verified();
    std::optional<int> triesLeft = 3;
    int verifyCalls = 0;
    int waits = 0;
    std::string pinSeen;
    bool pinWipedAfter = false;

    VerifyResult prepare(CardReady& ready) override {
        VerifyResult r = prepares.empty() ? VerifyResult{} : prepares.front();
        if (!prepares.empty())
            prepares.pop_front();
        if (r.ok()) {
            ready.card.reader = "Virtual PCD 00 00";
            ready.triesLeft = triesLeft;
        }
        return r;
    }
    bool waitForCardEvent(std::chrono::steady_clock::time_point) override {
        ++waits;
        if (events.empty())
            return false;
        const bool e = events.front();
        events.pop_front();
        return e;
    }
    VerifyResult verify(SecureBuffer& pin) override {
        ++verifyCalls;
        pinSeen.assign(pin.data(), pin.size());
        pin.clear(); // as CardVerifier does
        return verifyResult;
    }
};

struct Pipes {
    int in[2] = {-1, -1};
    int out[2] = {-1, -1};
    Pipes() {
        EXPECT_EQ(pipe(in), 0);
        EXPECT_EQ(pipe(out), 0);
    }
    ~Pipes() {
        for (int fd : {in[0], in[1], out[0], out[1]})
            if (fd >= 0)
                close(fd);
    }
    Pipes(const Pipes&) = delete;
    Pipes& operator=(const Pipes&) = delete;

    void send(const std::string& text) {
        ASSERT_EQ(write(in[1], text.data(), text.size()), static_cast<ssize_t>(text.size()));
    }
    void endInput() {
        close(in[1]);
        in[1] = -1;
    }
    std::vector<std::string> lines() {
        close(out[1]);
        out[1] = -1;
        std::string all;
        char buffer[512];
        ssize_t n = 0;
        while ((n = read(out[0], buffer, sizeof buffer)) > 0)
            all.append(buffer, static_cast<std::size_t>(n));
        std::vector<std::string> result;
        std::size_t start = 0;
        for (auto nl = all.find('\n'); nl != std::string::npos; nl = all.find('\n', start)) {
            result.push_back(all.substr(start, nl - start));
            start = nl + 1;
        }
        EXPECT_EQ(start, all.size()) << "every answer ends with a newline";
        return result;
    }
};

WorkerArgs argsFor(std::string user, int waitSeconds = 0) {
    WorkerArgs a;
    a.user = std::move(user);
    a.waitCard = std::chrono::seconds(waitSeconds);
    return a;
}

} // namespace

TEST(WorkerSessionTest, ReadyThenPinThenOk) {
    ScriptedCheck check;
    Pipes p;
    p.send("1234\n");
    EXPECT_EQ(runWorkerSession(check, argsFor("alice"), p.in[0], p.out[1]), cpslock::worker::kExitVerified);
    const auto lines = p.lines();
    ASSERT_EQ(lines.size(), 2U);
    EXPECT_EQ(lines[0], "ready tries=3 final=0 reader=Virtual%20PCD%2000%2000");
    EXPECT_EQ(lines[1], "ok user=alice reader=Virtual%20PCD%2000%2000 serial=0123456789 cert=ab12 "
                        "holder=Jeanne%20Martin%20(810002813839)");
    EXPECT_EQ(check.pinSeen, "1234");
}

TEST(WorkerSessionTest, RefusalBeforeThePinEndsWithoutReadingIt) {
    for (const auto reason : {RefusalReason::NoCard, RefusalReason::PinLocked, RefusalReason::LastTryRefused,
                              RefusalReason::ReaderUnavailable, RefusalReason::ModuleError}) {
        ScriptedCheck check;
        check.prepares = {refusedWith(reason)};
        Pipes p;
        EXPECT_EQ(runWorkerSession(check, argsFor("alice"), p.in[0], p.out[1]), cpslock::worker::kExitRefused);
        const auto lines = p.lines();
        ASSERT_EQ(lines.size(), 1U);
        const auto parsed = cpslock::protocol::parseAnswer(lines[0]);
        ASSERT_TRUE(parsed) << parsed.error().message;
        EXPECT_EQ(parsed->reason, reason);
        EXPECT_EQ(parsed->messageFr, cpslock::userMessage(reason, cpslock::Language::French));
        EXPECT_EQ(parsed->detail, "technical " + std::string(toString(reason)));
        EXPECT_EQ(check.verifyCalls, 0);
        EXPECT_EQ(check.waits, 0) << "no wait without --wait-card";
    }
}

TEST(WorkerSessionTest, WrongPinCarriesTheTriesLeft) {
    ScriptedCheck check;
    check.verifyResult = refusedWith(RefusalReason::WrongPin, 2);
    Pipes p;
    p.send("0000\n");
    EXPECT_EQ(runWorkerSession(check, argsFor("alice"), p.in[0], p.out[1]), cpslock::worker::kExitRefused);
    const auto lines = p.lines();
    ASSERT_EQ(lines.size(), 2U);
    const auto parsed = cpslock::protocol::parseAnswer(lines[1]);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->reason, RefusalReason::WrongPin);
    EXPECT_EQ(parsed->triesLeft, 2);
    EXPECT_EQ(parsed->messageFr, "Code porteur incorrect. Il vous reste 2 essais.");
}

TEST(WorkerSessionTest, WaitCardAnnouncesTheWaitAndPreparesAgainOnEachEvent) {
    ScriptedCheck check;
    check.prepares = {refusedWith(RefusalReason::NoCard), refusedWith(RefusalReason::NoCard), VerifyResult{}};
    check.events = {true, true};
    Pipes p;
    p.send("1234\n");
    EXPECT_EQ(runWorkerSession(check, argsFor("alice", 30), p.in[0], p.out[1]), cpslock::worker::kExitVerified);
    const auto lines = p.lines();
    ASSERT_EQ(lines.size(), 3U);
    EXPECT_EQ(lines[0], "waiting-card");
    EXPECT_TRUE(lines[1].starts_with("ready "));
    EXPECT_TRUE(lines[2].starts_with("ok "));
    EXPECT_EQ(check.waits, 2);
}

TEST(WorkerSessionTest, WaitCardThatRunsOutIsNoCard) {
    ScriptedCheck check;
    check.prepares = {refusedWith(RefusalReason::NoCard)};
    Pipes p;
    EXPECT_EQ(runWorkerSession(check, argsFor("alice", 5), p.in[0], p.out[1]), cpslock::worker::kExitRefused);
    const auto lines = p.lines();
    ASSERT_EQ(lines.size(), 2U);
    EXPECT_EQ(lines[0], "waiting-card");
    EXPECT_TRUE(lines[1].starts_with("refused no-card ")) << lines[1];
}

TEST(WorkerSessionTest, WaitCardDoesNotWaitForOtherRefusals) {
    ScriptedCheck check;
    check.prepares = {refusedWith(RefusalReason::NotCps)};
    Pipes p;
    runWorkerSession(check, argsFor("alice", 5), p.in[0], p.out[1]);
    const auto lines = p.lines();
    ASSERT_EQ(lines.size(), 1U);
    EXPECT_TRUE(lines[0].starts_with("refused not-cps "));
}

TEST(WorkerSessionTest, ModuleGoneBeforeThePinGivesNoFinalAnswer) {
    ScriptedCheck check;
    Pipes p;
    p.endInput();
    EXPECT_EQ(runWorkerSession(check, argsFor("alice"), p.in[0], p.out[1]), cpslock::worker::kExitNoPin);
    EXPECT_EQ(p.lines().size(), 1U);
    EXPECT_EQ(check.verifyCalls, 0);
}

TEST(WorkerSessionTest, OverlongOrEmptyPinNeverReachesTheCard) {
    for (const std::string& pin : {std::string(SecureBuffer::kPinCapacity + 1, '1') + "\n", std::string("\n")}) {
        ScriptedCheck check;
        Pipes p;
        p.send(pin);
        EXPECT_EQ(runWorkerSession(check, argsFor("alice"), p.in[0], p.out[1]), cpslock::worker::kExitRefused);
        const auto lines = p.lines();
        ASSERT_EQ(lines.size(), 2U);
        EXPECT_TRUE(lines[1].starts_with("refused wrong-pin ")) << lines[1];
        EXPECT_EQ(check.verifyCalls, 0);
    }
}

TEST(WorkerSessionTest, ArgumentsAreCheckedStrictly) {
    const auto parse = [](std::vector<std::string_view> a) { return parseWorkerArgs(a); };
    const auto ok = parse({"--user", "alice", "--policy", "/etc/cpslock/p.toml", "--wait-card", "10"});
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(ok->user, "alice");
    EXPECT_EQ(ok->policy, "/etc/cpslock/p.toml");
    EXPECT_EQ(ok->waitCard.count(), 10);
    for (const auto& bad : std::vector<std::vector<std::string_view>>{{},
                                                                      {"--user"},
                                                                      {"--user", ""},
                                                                      {"--policy", "/p.toml"},
                                                                      {"--user", "a", "--policy", "rel.toml"},
                                                                      {"--user", "a", "--wait-card", "-1"},
                                                                      {"--user", "a", "--wait-card", "601"},
                                                                      {"--user", "a", "--pin", "1234"},
                                                                      {"--user", "a", "extra"}}) {
        EXPECT_FALSE(parse(bad));
    }
}

// card-info: what the worker tells cpslockd (and so the tray) about a card, without its PIN.
TEST(WorkerSessionTest, InspectModeNeedsNoUserAndReportsTheCardOrWhyNot) {
    const std::vector<std::string_view> args{"--inspect", "Virtual PCD 00 00", "--policy", "/etc/cpslock/policy.toml"};
    const auto parsed = parseWorkerArgs(args);
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed->inspectReader, "Virtual PCD 00 00");

    cpslock::card::CardReport report;
    report.card = cpslock::card::CardInReader{"Virtual PCD 00 00", cpslock::CardKind::Cps3, "0123456789", {}};
    report.holder = cpslock::card::HolderIdentity{};
    report.holder->givenName = "Jeanne";
    report.holder->surname = "MARTIN";
    report.holder->profession = "Médecin";
    report.certificate = cpslock::card::CertificateInfo{};
    report.certificate->sha256Hex = "ab12";
    report.certificate->notAfter = std::chrono::system_clock::time_point(std::chrono::seconds(1900000000));
    report.certificateRefusal = Refusal{RefusalReason::Expired, "notAfter passed", {}};
    const auto reply = cpslock::worker::inspectReply(report);
    EXPECT_TRUE(reply.ok);
    EXPECT_EQ(reply.get("holder"), "Jeanne MARTIN");
    EXPECT_EQ(reply.get("cert"), "ab12");
    EXPECT_EQ(reply.get("not_after"), "1900000000");
    EXPECT_EQ(reply.get("refusal"), "expired");
    EXPECT_EQ(reply.get("locked"), "0");

    cpslock::card::CardReport unreadable;
    unreadable.refusal = Refusal{RefusalReason::NoCard, "no card in the reader", {}};
    const auto error = cpslock::worker::inspectReply(unreadable);
    EXPECT_FALSE(error.ok);
    EXPECT_EQ(error.code, "check-failed");
    EXPECT_EQ(error.get("reason"), "no-card");
}
