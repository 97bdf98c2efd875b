// SPDX-License-Identifier: EUPL-1.2
#include "tools/cardsim/Simulator.h"

#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <utility>

namespace cpslock::cardsim {
namespace {

constexpr std::chrono::milliseconds kSwapGap{600};

void say(const std::string& line) {
    std::fputs(line.c_str(), stdout);
    std::fputc('\n', stdout);
    (void)std::fflush(stdout);
}

} // namespace

Simulator::Simulator(SimulatorOptions options, std::shared_ptr<PivApplet> piv, std::shared_ptr<CpsCredentials> cps)
    : m_options(std::move(options)), m_piv(std::move(piv)), m_cps(std::move(cps)) {}

int Simulator::run(int signalFd) {
    int scriptFd = -1;
    if (m_options.script) {
        scriptFd = *m_options.script == "-" ? STDIN_FILENO : ::open(m_options.script->c_str(), O_RDONLY | O_CLOEXEC);
        if (scriptFd < 0) {
            std::fprintf(stderr, "cpslock-cardsim: cannot open script %s: %s\n", m_options.script->c_str(),
                         std::strerror(errno));
            return 2;
        }
    } else {
        auto profile = buildProfile(m_options.profile, m_options.serial);
        if (!profile) {
            std::fprintf(stderr, "cpslock-cardsim: %s\n", profile.error().message.c_str());
            return 2;
        }
        if (!insert(std::move(*profile)) && !m_options.persist)
            return 1;
    }

    while (!m_quit) {
        std::vector<pollfd> fds{{signalFd, POLLIN, 0}};
        if (m_link.connected())
            fds.push_back({m_link.fd(), POLLIN, 0});
        const bool scriptReady = scriptFd >= 0 && !m_scriptEof && !sleeping();
        if (scriptReady)
            fds.push_back({scriptFd, POLLIN, 0});
        if (::poll(fds.data(), fds.size(), timeoutMs()) < 0 && errno != EINTR)
            return 1;

        for (const pollfd& p : fds) {
            if (!(p.revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            if (p.fd == signalFd) {
                signalfd_siginfo info{};
                [[maybe_unused]] const ssize_t n = ::read(signalFd, &info, sizeof info);
                m_quit = true;
            } else if (p.fd == m_link.fd()) {
                serveVpcd();
            } else if (p.fd == scriptFd) {
                readScript(scriptFd);
            }
        }
        if (m_card && !m_link.connected() && m_options.persist && Clock::now() >= m_retryAt)
            reconnect();
        runScript();
        if (!m_options.script && !m_card && !m_options.persist)
            return 1; // the only card lost its reader
        if (m_options.script && m_scriptEof && m_pending.empty() && !sleeping())
            m_quit = true;
    }
    if (m_link.connected()) {
        m_link.close();
        say("removed");
    }
    return m_exitCode;
}

Result<CardProfile> Simulator::buildProfile(const std::string& name, const std::string& serial) {
    auto profile = makeProfile(name, serial);
    if (profile && m_options.atr)
        profile->atr = *m_options.atr;
    if (profile && m_options.snIcc)
        profile->snIcc = *m_options.snIcc;
    return profile;
}

bool Simulator::sleeping() const {
    return m_sleepUntil && Clock::now() < *m_sleepUntil;
}

int Simulator::timeoutMs() const {
    std::optional<Clock::time_point> wake;
    if (m_sleepUntil)
        wake = *m_sleepUntil;
    if (m_card && !m_link.connected() && m_options.persist)
        wake = wake ? std::min(*wake, m_retryAt) : m_retryAt;
    if (!wake)
        return -1;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(*wake - Clock::now()).count();
    return static_cast<int>(std::max<long long>(ms, 0) + 1);
}

bool Simulator::insert(CardProfile profile) {
    if (m_link.connected()) {
        m_link.close();
        say("removed");
    }
    // The PIV applet lives in CPS cards only, and is the same across insertions (try counter).
    auto piv = profile.hasSnIcc ? m_piv : nullptr;
    // The contactless CPS3 carries no PIN and no authentication key: never the CPS material.
    auto cps = profile.hasSnIcc && profile.name != "cps3-contactless" ? m_cps : nullptr;
    m_card.emplace(std::move(profile), std::move(piv), std::move(cps));
    if (const auto connected = m_link.connect(m_options.host, m_options.port); !connected) {
        say("error: " + connected.error().message);
        if (m_options.persist) {
            m_backoff = std::chrono::milliseconds(50);
            m_retryAt = Clock::now() + m_backoff;
            return false;
        }
        m_card.reset();
        m_exitCode = 1;
        return false;
    }
    announceInserted();
    return true;
}

void Simulator::announceInserted() {
    std::string line = "inserted " + m_card->profile().name;
    if (m_card->profile().hasSnIcc && !m_options.snIcc)
        line += " serial=" + m_card->profile().serial;
    line += " atr=" + toHex(m_card->profile().atr);
    say(line);
}

void Simulator::reconnect() {
    if (m_link.connect(m_options.host, m_options.port)) {
        m_card->reset();
        announceInserted();
        return;
    }
    m_backoff = std::min(m_backoff * 2, std::chrono::milliseconds(1000));
    m_retryAt = Clock::now() + m_backoff;
}

void Simulator::remove() {
    if (m_card)
        m_card->reset(); // pulled out: power is gone, so is the PIV verified state
    if (m_link.connected()) {
        m_link.close();
        say("removed");
    }
    m_card.reset();
}

void Simulator::serveVpcd() {
    if (!m_link.receive()) {
        m_link.close();
        say("reader-gone");
        if (m_options.persist) {
            m_backoff = std::chrono::milliseconds(50);
            m_retryAt = Clock::now() + m_backoff;
        } else {
            m_card->reset();
            m_card.reset();
            m_exitCode = 1;
        }
        return;
    }
    while (auto message = m_link.next()) {
        bool sent = true;
        switch (message->kind) {
        case VpcdMessage::Kind::PowerOff:
        case VpcdMessage::Kind::PowerOn:
        case VpcdMessage::Kind::Reset:
        case VpcdMessage::Kind::UnknownControl: m_card->reset(); break;
        case VpcdMessage::Kind::GetAtr: sent = m_link.send(m_card->profile().atr); break;
        case VpcdMessage::Kind::Apdu:
            if (!m_removeOnIns.empty() && message->apdu.size() >= 2 &&
                std::find(m_removeOnIns.begin(), m_removeOnIns.end(), message->apdu[1]) != m_removeOnIns.end()) {
                // Fault injection: the card leaves the reader instead of answering this command.
                m_removeOnIns.clear();
                remove();
                return;
            }
            sent = m_link.send(m_card->process(message->apdu));
            break;
        }
        if (!sent)
            break; // the next poll sees the closed socket
    }
}

void Simulator::readScript(int fd) {
    char buffer[1024];
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) {
        m_scriptEof = n == 0 || errno != EINTR;
        if (!m_partial.empty())
            m_pending.push_back(std::exchange(m_partial, {}));
        return;
    }
    for (ssize_t i = 0; i < n; ++i) {
        if (buffer[i] == '\n')
            m_pending.push_back(std::exchange(m_partial, {}));
        else if (m_partial.size() < 4096)
            m_partial.push_back(buffer[i]);
    }
}

void Simulator::runScript() {
    while (!m_pending.empty() && !sleeping() && !m_quit) {
        const std::string line = m_pending.front();
        m_pending.erase(m_pending.begin());
        const ScriptLine parsed = parseScriptLine(line);
        if (!parsed)
            say("error: " + parsed.error().message);
        else if (*parsed)
            execute(**parsed);
    }
}

void Simulator::execute(const ScriptCommand& command) {
    switch (command.kind) {
    case ScriptCommand::Kind::Swap:
        // Out, then in again once vpcd has had time to see the reader empty: pcscd polls vpcd every
        // 400 ms, and a reconnection inside one poll would look like no change at all (a person
        // swapping cards takes longer than that anyway).
        remove();
        m_sleepUntil = Clock::now() + kSwapGap;
        m_pending.insert(m_pending.begin(), "insert " + command.profile + " " + command.serial);
        break;
    case ScriptCommand::Kind::Insert: {
        // Without arguments: the card described on the command line.
        auto profile = command.profile.empty() ? buildProfile(m_options.profile, m_options.serial)
                                               : buildProfile(command.profile, command.serial);
        if (!profile) {
            say("error: " + profile.error().message);
            return;
        }
        insert(std::move(*profile));
        break;
    }
    case ScriptCommand::Kind::Remove: remove(); break;
    case ScriptCommand::Kind::Sleep: m_sleepUntil = Clock::now() + command.duration; break;
    case ScriptCommand::Kind::RemoveOn:
        // The next command with one of these instruction bytes pulls the card out instead of being answered.
        m_removeOnIns = command.instructions;
        say("armed remove-on " + command.removeOnName);
        break;
    case ScriptCommand::Kind::Stats: say("stats apdus=" + std::to_string(m_card ? m_card->apduCount() : 0)); break;
    case ScriptCommand::Kind::PinState: {
        // CHV 1 of the card in the reader (the PIV PIN for a card with PIV material only); out of
        // the reader, the counter the next insertion starts from.
        std::optional<PinState> state = m_card ? m_card->pinState() : std::nullopt;
        if (!state && m_cps && (m_cps->hasKeys() || !m_piv))
            state = PinState{m_cps->triesLeft(), false};
        else if (!state && m_piv)
            state = PinState{m_piv->triesLeft(), false};
        if (!state) {
            say("error: no PIN on this card");
            return;
        }
        say("pin tries=" + std::to_string(state->triesLeft) + " verified=" + (state->verified ? "1" : "0"));
        break;
    }
    case ScriptCommand::Kind::Quit: m_quit = true; break;
    }
}

} // namespace cpslock::cardsim
