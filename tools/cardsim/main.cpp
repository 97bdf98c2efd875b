// cpslock-cardsim: a virtual CPS card (and Vitale / other cards) for the vsmartcard vpcd reader.
#include "tools/cardsim/VirtualCard.h"
#include "tools/cardsim/VpcdLink.h"

#include <openssl/crypto.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <memory>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace cpslock;
using namespace cpslock::cardsim;
using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds kSwapGap{600};

constexpr const char* kUsage =
    "usage: cpslock-cardsim --port PORT [--host HOST] [--profile P] [--serial DIGITS]\n"
    "                       [--atr HEX] [--sn-icc HEX] [--persist] [--script FILE|-]\n"
    "                       [--auth-cert FILE --auth-key FILE] [--sig-cert FILE --sig-key FILE]\n"
    "                       [--actua START-END] [--piv-cert FILE --piv-key FILE]\n"
    "                       [--pin DIGITS] [--pin-tries N]\n"
    "\n"
    "A virtual smart card for the vsmartcard 'vpcd' reader driver of pcscd. Connecting to vpcd's port\n"
    "inserts the card, closing it removes the card.\n"
    "\n"
    "  --port PORT     vpcd's TCP port (the reader 'Virtual PCD 00 00' listens on the base port,\n"
    "                  'Virtual PCD 00 01' on the next one)\n"
    "  --host HOST     default 127.0.0.1\n"
    "  --profile P     cps3 (default), cps3-contactless, cps4, vitale1, vitale2, bank, unknown\n"
    "  --serial DIGITS card serial in EF.SN.ICC (CPS profiles, 1-10 digits)\n"
    "  --atr HEX       replace the profile's ATR (tests of odd ATRs)\n"
    "  --sn-icc HEX    replace the content of EF.SN.ICC (tests of malformed card data)\n"
    "  --persist       when vpcd goes away (pcscd restarted), reconnect by itself\n"
    "  --auth-cert FILE, --auth-key FILE\n"
    "                  the CPS authentication certificate (DER or PEM) and its RSA key (PKCS#8 DER or\n"
    "                  PEM): cps3 answers as an IAS-ECC CPx, cps4 as a ChipDoc, with a PKCS#15\n"
    "                  application (OpenSC's iasecc driver, ANS Cryptolib CPS)\n"
    "  --sig-cert FILE, --sig-key FILE\n"
    "                  the signature (non-repudiation) pair; one pair alone serves both\n"
    "  --actua START-END\n"
    "                  present EF_ACTUA (\"card needs updating\" window), dates YYYYMMDD[hhmmss]\n"
    "  --piv-cert FILE PIV Authentication certificate (slot 9A), DER or PEM: CPS profiles then also\n"
    "                  answer the PIV application (SP 800-73-4), for OpenSC tests\n"
    "  --piv-key FILE  its RSA private key, PKCS#8 DER or PEM (not checked against the certificate)\n"
    "  --pin DIGITS    the PIN (CHV 1 and PIV), 4-8 digits (default 1234; a test card, never a real PIN)\n"
    "  --pin-tries N   PIN tries before the card blocks, 1-15 (default 3; kept across re-insertion)\n"
    "  --script FILE   run commands from FILE ('-' = standard input) instead of inserting at start:\n"
    "                    insert PROFILE [SERIAL]   remove   swap PROFILE [SERIAL] (out for 600 ms)\n"
    "                    sleep MS   stats   pin-state   quit        ('#' starts a comment)\n"
    "                    remove-on sign|verify|read|INS   (fault injection: the next such command\n"
    "                    pulls the card out instead of being answered; sign = GENERAL AUTHENTICATE,\n"
    "                    INTERNAL AUTHENTICATE or PSO)\n"
    "\n"
    "Prints one line per change: 'inserted PROFILE serial=... atr=...', 'removed', 'reader-gone',\n"
    "'stats apdus=N', 'pin tries=N verified=0|1'. Without --script the card is inserted at start and\n"
    "removed on SIGINT/SIGTERM.\n"
    "Exit status: 0 normal end, 1 vpcd unreachable or lost (without --persist), 2 usage error.\n";

void say(const std::string& line) {
    std::fputs(line.c_str(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

struct Options {
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
    std::string pin = "1234";
    int pinTries = 3;
};

class Simulator {
public:
    Simulator(Options options, std::shared_ptr<PivApplet> piv, std::shared_ptr<CpsCredentials> cps)
        : m_options(std::move(options)), m_piv(std::move(piv)), m_cps(std::move(cps)) {}

    int run(int signalFd) {
        int scriptFd = -1;
        if (m_options.script) {
            scriptFd = *m_options.script == "-" ? STDIN_FILENO : ::open(m_options.script->c_str(), O_RDONLY | O_CLOEXEC);
            if (scriptFd < 0) {
                std::fprintf(stderr, "cpslock-cardsim: cannot open script %s: %s\n", m_options.script->c_str(),
                             std::strerror(errno));
                return 2;
            }
        } else {
            std::string error;
            auto profile = buildProfile(m_options.profile, m_options.serial, error);
            if (!profile) {
                std::fprintf(stderr, "cpslock-cardsim: %s\n", error.c_str());
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

private:
    std::optional<CardProfile> buildProfile(const std::string& name, const std::string& serial, std::string& error) {
        auto profile = makeProfile(name, serial, error);
        if (profile && m_options.atr)
            profile->atr = *m_options.atr;
        if (profile && m_options.snIcc)
            profile->snIcc = *m_options.snIcc;
        return profile;
    }

    bool sleeping() const { return m_sleepUntil && Clock::now() < *m_sleepUntil; }

    int timeoutMs() const {
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

    bool insert(CardProfile profile) {
        if (m_link.connected()) {
            m_link.close();
            say("removed");
        }
        // The PIV applet lives in CPS cards only, and is the same across insertions (try counter).
        auto piv = profile.hasSnIcc ? m_piv : nullptr;
        // The contactless CPS3 carries no PIN and no authentication key: never the CPS material.
        auto cps = profile.hasSnIcc && profile.name != "cps3-contactless" ? m_cps : nullptr;
        m_card.emplace(std::move(profile), std::move(piv), std::move(cps));
        std::string error;
        if (!m_link.connect(m_options.host, m_options.port, error)) {
            say("error: " + error);
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

    void announceInserted() {
        std::string line = "inserted " + m_card->profile().name;
        if (m_card->profile().hasSnIcc && !m_options.snIcc)
            line += " serial=" + m_card->profile().serial;
        line += " atr=" + toHex(m_card->profile().atr);
        say(line);
    }

    void reconnect() {
        std::string error;
        if (m_link.connect(m_options.host, m_options.port, error)) {
            m_card->reset();
            announceInserted();
            return;
        }
        m_backoff = std::min(m_backoff * 2, std::chrono::milliseconds(1000));
        m_retryAt = Clock::now() + m_backoff;
    }

    void remove() {
        if (m_card)
            m_card->reset(); // pulled out: power is gone, so is the PIV verified state
        if (m_link.connected()) {
            m_link.close();
            say("removed");
        }
        m_card.reset();
    }

    void serveVpcd() {
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

    void readScript(int fd) {
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

    void runScript() {
        while (!m_pending.empty() && !sleeping() && !m_quit) {
            std::string line = m_pending.front();
            m_pending.erase(m_pending.begin());
            if (const auto hash = line.find('#'); hash != std::string::npos)
                line.resize(hash);
            std::istringstream words(line);
            std::string command, arg1, arg2, extra;
            words >> command >> arg1 >> arg2 >> extra;
            if (command.empty())
                continue;
            execute(command, arg1, arg2, extra);
        }
    }

    void execute(const std::string& command, const std::string& arg1, const std::string& arg2, const std::string& extra) {
        if (!extra.empty()) {
            say("error: too many words after '" + command + "'");
        } else if (command == "swap") {
            // Out, then in again once vpcd has had time to see the reader empty: pcscd polls vpcd every
            // 400 ms, and a reconnection inside one poll would look like no change at all (a person
            // swapping cards takes longer than that anyway).
            remove();
            m_sleepUntil = Clock::now() + kSwapGap;
            m_pending.insert(m_pending.begin(), "insert " + arg1 + " " + arg2);
        } else if (command == "insert") {
            std::string error;
            // Without arguments: the card described on the command line.
            auto profile = arg1.empty() ? buildProfile(m_options.profile, m_options.serial, error)
                                        : buildProfile(arg1, arg2, error);
            if (!profile) {
                say("error: " + error);
                return;
            }
            insert(std::move(*profile));
        } else if (command == "remove" && arg1.empty()) {
            remove();
        } else if (command == "sleep" && !arg1.empty() && arg2.empty()) {
            char* end = nullptr;
            const long ms = std::strtol(arg1.c_str(), &end, 10);
            if (*end != '\0' || ms < 0 || ms > 3'600'000) {
                say("error: sleep takes milliseconds (0-3600000)");
                return;
            }
            m_sleepUntil = Clock::now() + std::chrono::milliseconds(ms);
        } else if (command == "remove-on" && !arg1.empty() && arg2.empty()) {
            // The next command with this instruction byte pulls the card out instead of being answered:
            // "sign" (PIV GENERAL AUTHENTICATE, IAS-ECC INTERNAL AUTHENTICATE, PSO), "verify" (VERIFY
            // PIN), "read" (READ BINARY) or a hex INS.
            const std::map<std::string, std::vector<std::uint8_t>> names{
                {"sign", {0x87, 0x88, 0x2A}}, {"verify", {0x20}}, {"read", {0xB0}}};
            const auto named = names.find(arg1);
            const auto hex = fromHex(arg1);
            if (named != names.end())
                m_removeOnIns = named->second;
            else if (hex && hex->size() == 1)
                m_removeOnIns = {hex->front()};
            else {
                say("error: remove-on takes sign, verify, read or one hex byte");
                return;
            }
            say("armed remove-on " + arg1);
        } else if (command == "stats" && arg1.empty()) {
            say("stats apdus=" + std::to_string(m_card ? m_card->apduCount() : 0));
        } else if (command == "pin-state" && arg1.empty()) {
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
        } else if (command == "quit" && arg1.empty()) {
            m_quit = true;
        } else {
            say("error: unknown command '" + command + "'");
        }
    }

    Options m_options;
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

int usageError(const std::string& message) {
    std::fprintf(stderr, "cpslock-cardsim: %s\n\n%s", message.c_str(), kUsage);
    return 2;
}

std::optional<Bytes> readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return std::nullopt;
    Bytes content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad())
        return std::nullopt;
    return content;
}

/// One certificate + key pair from files; nullopt with exit status 2 in @p failed.
std::optional<PivCredentials> loadPair(const std::string& certPath, const std::string& keyPath,
                                       std::optional<int>& failed) {
    const auto cert = readFile(certPath);
    const auto key = readFile(keyPath);
    if (!cert || !key) {
        failed = usageError("cannot read " + (cert ? keyPath : certPath) + ": " + std::strerror(errno));
        return std::nullopt;
    }
    std::string error;
    auto credentials = parsePivCredentials(*cert, *key, error);
    if (!credentials)
        failed = usageError((error.rfind("key", 0) == 0 ? keyPath : certPath) + ": " + error);
    return credentials;
}

/// The CPS card's keys, PIN and EF_ACTUA; nullptr with exit status 2 in @p failed.
std::shared_ptr<CpsCredentials> makeCpsCredentials(const Options& options, std::optional<int>& failed) {
    if (options.authCert.has_value() != options.authKey.has_value()) {
        failed = usageError("--auth-cert and --auth-key go together");
        return nullptr;
    }
    if (options.sigCert.has_value() != options.sigKey.has_value()) {
        failed = usageError("--sig-cert and --sig-key go together");
        return nullptr;
    }
    std::optional<PivCredentials> auth, sig;
    if (options.authCert && !(auth = loadPair(*options.authCert, *options.authKey, failed)))
        return nullptr;
    if (options.sigCert && !(sig = loadPair(*options.sigCert, *options.sigKey, failed)))
        return nullptr;
    return std::make_shared<CpsCredentials>(std::move(auth), std::move(sig), options.pin, options.pinTries,
                                            options.actua);
}

/// The PIV applet of --piv-cert/--piv-key, or nullptr without them; exit status 2 in @p failed.
std::shared_ptr<PivApplet> makePivApplet(const Options& options, std::optional<int>& failed) {
    if (!options.pivCert && !options.pivKey)
        return nullptr;
    if (!options.pivCert || !options.pivKey) {
        failed = usageError("--piv-cert and --piv-key go together");
        return nullptr;
    }
    const auto cert = readFile(*options.pivCert);
    const auto key = readFile(*options.pivKey);
    if (!cert || !key) {
        failed = usageError("cannot read " + (cert ? *options.pivKey : *options.pivCert) + ": " + std::strerror(errno));
        return nullptr;
    }
    std::string error;
    auto credentials = parsePivCredentials(*cert, *key, error);
    if (!credentials) {
        failed = usageError((error.rfind("key", 0) == 0 ? *options.pivKey : *options.pivCert) + ": " + error);
        return nullptr;
    }
    return std::make_shared<PivApplet>(std::move(*credentials), options.pin, options.pinTries);
}

} // namespace

int main(int argc, char** argv) {
    Options options;
    std::vector<std::string> args(argv + 1, argv + argc);
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        const bool hasValue = i + 1 < args.size();
        auto value = [&]() -> const std::string& { return args[++i]; };
        if (a == "--help" || a == "-h") {
            std::fputs(kUsage, stdout);
            return 0;
        } else if (a == "--persist") {
            options.persist = true;
        } else if (!hasValue && (a == "--port" || a == "--host" || a == "--profile" || a == "--serial" ||
                                 a == "--atr" || a == "--sn-icc" || a == "--script" || a == "--piv-cert" ||
                                 a == "--piv-key" || a == "--pin" || a == "--pin-tries" || a == "--auth-cert" ||
                                 a == "--auth-key" || a == "--sig-cert" || a == "--sig-key" || a == "--actua")) {
            return usageError(a + " needs a value");
        } else if (a == "--port") {
            char* end = nullptr;
            const unsigned long port = std::strtoul(value().c_str(), &end, 10);
            if (*end != '\0' || port == 0 || port > 65535)
                return usageError("--port takes a TCP port number (1-65535)");
            options.port = static_cast<std::uint16_t>(port);
        } else if (a == "--host") {
            options.host = value();
        } else if (a == "--profile") {
            options.profile = value();
        } else if (a == "--serial") {
            options.serial = value();
        } else if (a == "--atr" || a == "--sn-icc") {
            const std::string& text = value();
            auto bytes = fromHex(text);
            if (!bytes || (a == "--atr" && (bytes->empty() || bytes->size() > 33)))
                return usageError(a + ": '" + text + "' is not " + (a == "--atr" ? "an ATR of 1-33 bytes in hex" : "hex"));
            (a == "--atr" ? options.atr : options.snIcc) = std::move(*bytes);
        } else if (a == "--script") {
            options.script = value();
        } else if (a == "--piv-cert") {
            options.pivCert = value();
        } else if (a == "--piv-key") {
            options.pivKey = value();
        } else if (a == "--auth-cert") {
            options.authCert = value();
        } else if (a == "--auth-key") {
            options.authKey = value();
        } else if (a == "--sig-cert") {
            options.sigCert = value();
        } else if (a == "--sig-key") {
            options.sigKey = value();
        } else if (a == "--actua") {
            const std::string& window = value();
            const auto dash = window.find('-');
            auto actua = dash == std::string::npos ? std::nullopt
                                                   : encodeActua(window.substr(0, dash), window.substr(dash + 1));
            if (!actua)
                return usageError("--actua takes START-END, dates YYYYMMDD or YYYYMMDDhhmmss");
            options.actua = std::move(actua);
        } else if (a == "--pin") {
            std::string& pin = args[++i];
            const bool valid = PivApplet::validPin(pin);
            options.pin = pin;
            OPENSSL_cleanse(pin.data(), pin.size());
            // Out of /proc/PID/cmdline too (ps shows '--pin ****'): it is a test PIN, still a PIN.
            std::memset(argv[i + 1], '*', std::strlen(argv[i + 1]));
            if (!valid)
                return usageError("--pin takes 4 to 8 digits");
        } else if (a == "--pin-tries") {
            char* end = nullptr;
            const long tries = std::strtol(value().c_str(), &end, 10);
            if (*end != '\0' || tries < 1 || tries > 15)
                return usageError("--pin-tries takes a number from 1 to 15");
            options.pinTries = static_cast<int>(tries);
        } else {
            return usageError("unknown argument '" + a + "'");
        }
    }
    if (options.port == 0)
        return usageError("--port is required");
    std::string error;
    if (!makeProfile(options.profile, options.serial, error))
        return usageError(error);
    std::optional<int> failed;
    auto piv = makePivApplet(options, failed);
    auto cps = failed ? nullptr : makeCpsCredentials(options, failed);
    OPENSSL_cleanse(options.pin.data(), options.pin.size());
    if (failed)
        return *failed;

    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGINT);
    sigaddset(&stopSignals, SIGTERM);
    sigprocmask(SIG_BLOCK, &stopSignals, nullptr);
    const int signalFd = signalfd(-1, &stopSignals, SFD_CLOEXEC);
    if (signalFd < 0) {
        std::perror("cpslock-cardsim: signalfd");
        return 1;
    }
    std::signal(SIGPIPE, SIG_IGN);
    return Simulator(std::move(options), std::move(piv), std::move(cps)).run(signalFd);
}
