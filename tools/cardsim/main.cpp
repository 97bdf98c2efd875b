// SPDX-License-Identifier: EUPL-1.2
// cpslock-cardsim: a virtual CPS card (and Vitale / other cards) for the vsmartcard vpcd reader.
// main parses the command line, loads the card material and hands over to Simulator.
#include "core/Version.h"
#include "tools/cardsim/Simulator.h"

#include <openssl/crypto.h>
#include <signal.h>
#include <sys/signalfd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace cpslock;
using namespace cpslock::cardsim;

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
std::shared_ptr<CpsCredentials> makeCpsCredentials(const SimulatorOptions& options, std::optional<int>& failed) {
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
std::shared_ptr<PivApplet> makePivApplet(const SimulatorOptions& options, std::optional<int>& failed) {
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

/// Parses the command line into @p options; the exit status when it must stop (help, usage error).
/// The PIN's argv copy is overwritten with '*' (ps shows '--pin ****').
std::optional<int> parseArguments(int argc, char** argv, SimulatorOptions& options) {
    std::vector<std::string> args(argv + 1, argv + argc);
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        const bool hasValue = i + 1 < args.size();
        auto value = [&]() -> const std::string& { return args[++i]; };
        if (a == "--help" || a == "-h") {
            std::fputs(kUsage, stdout);
            return 0;
        } else if (a == "--version") {
            std::printf("cpslock-cardsim %s\n", CPSLOCK_VERSION);
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
    return std::nullopt;
}

} // namespace

int main(int argc, char** argv) {
    SimulatorOptions options;
    if (const auto stop = parseArguments(argc, argv, options))
        return *stop;
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
