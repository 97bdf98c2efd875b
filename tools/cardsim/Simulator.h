// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Hex.h"
#include "tools/cardsim/CpsCredentials.h"
#include "tools/cardsim/PivApplet.h"
#include "tools/cardsim/ScriptCommand.h"
#include "tools/cardsim/VirtualCard.h"
#include "tools/cardsim/VpcdLink.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cpslock::cardsim {

/// What the command line of cpslock-cardsim says (main.cpp parses it).
struct SimulatorOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    std::string profile = "cps3";
    std::string serial;
    std::optional<Bytes> atr;
    std::optional<Bytes> snIcc;
    bool persist = false;
    std::optional<std::string> script;
    std::optional<std::string> pivCert;
    std::optional<std::string> pivKey;
    std::optional<std::string> authCert, authKey, sigCert, sigKey;
    std::optional<Bytes> actua;
    std::string pin = "1234"; ///< wiped by main once the credentials hold it
    int pinTries = 3;
};

/// The simulator's event loop: the vpcd link (insert = connect, remove = close), the card answering
/// its APDUs, the script commands (ScriptCommand) and the stop signals. One line on standard output
/// per change (`inserted …`, `removed`, `reader-gone`, `stats …`, `pin …`, `error: …`).
class Simulator {
public:
    using Clock = std::chrono::steady_clock;

    /// @p piv / @p cps: the card material, shared by every insertion (try counters survive).
    Simulator(SimulatorOptions options, std::shared_ptr<PivApplet> piv, std::shared_ptr<CpsCredentials> cps);

    /// Runs until the script ends, `quit`, a signal on @p signalFd, or (without a script and without
    /// --persist) the reader goes away. @retval the exit status (0, 1 vpcd lost, 2 bad script file).
    int run(int signalFd);

private:
    Result<CardProfile> buildProfile(const std::string& name, const std::string& serial);
    bool sleeping() const;
    int timeoutMs() const;
    bool insert(CardProfile profile);
    void announceInserted();
    void reconnect();
    void remove();
    void serveVpcd();
    void readScript(int fd);
    void runScript();
    void execute(const ScriptCommand& command);

    SimulatorOptions m_options;
    std::shared_ptr<PivApplet> m_piv;
    std::shared_ptr<CpsCredentials> m_cps;
    VpcdLink m_link;
    std::optional<VirtualCard> m_card;
    std::chrono::milliseconds m_backoff{50};
    Clock::time_point m_retryAt{};
    std::optional<Clock::time_point> m_sleepUntil;
    std::vector<std::uint8_t> m_removeOnIns;
    std::vector<std::string> m_pending;
    std::string m_partial;
    bool m_scriptEof = false;
    bool m_quit = false;
    int m_exitCode = 0;
};

} // namespace cpslock::cardsim
