// SPDX-License-Identifier: EUPL-1.2
#include "tools/cardsim/CommandLine.h"

#include "core/Version.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cpslock::cardsim {
namespace {

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

// The options followed by a value.
constexpr std::array<std::string_view, 16> kValueOptions{
    "--port",    "--host", "--profile",   "--serial",    "--atr",      "--sn-icc",   "--script",  "--piv-cert",
    "--piv-key", "--pin",  "--pin-tries", "--auth-cert", "--auth-key", "--sig-cert", "--sig-key", "--actua"};

ExitStatus usageError(const std::string& message) {
    std::fprintf(stderr, "cpslock-cardsim: %s\n\n%s", message.c_str(), kUsage);
    return ExitStatus{2};
}

/// A number from @p text, whole and within [min, max].
std::optional<long> boundedNumber(const std::string& text, long min, long max) {
    char* end = nullptr;
    const long value = std::strtol(text.c_str(), &end, 10);
    if (*end != '\0' || value < min || value > max)
        return std::nullopt;
    return value;
}

Result<void> applyHex(const std::string& name, const std::string& text, SimulatorOptions& options) {
    const bool atr = name == "--atr";
    auto bytes = fromHex(text);
    if (!bytes || (atr && (bytes->empty() || bytes->size() > 33)))
        return fail(name + ": '" + text + "' is not " + (atr ? "an ATR of 1-33 bytes in hex" : "hex"));
    (atr ? options.atr : options.snIcc) = std::move(*bytes);
    return {};
}

Result<void> applyActua(const std::string& window, SimulatorOptions& options) {
    const auto dash = window.find('-');
    auto actua =
        dash == std::string::npos ? std::nullopt : encodeActua(window.substr(0, dash), window.substr(dash + 1));
    if (!actua)
        return fail("--actua takes START-END, dates YYYYMMDD or YYYYMMDDhhmmss");
    options.actua = std::move(actua);
    return {};
}

/// One option of kValueOptions but --pin, with its value.
Result<void> applyValue(const std::string& name, const std::string& value, SimulatorOptions& options) {
    using Word = std::string SimulatorOptions::*;
    using File = std::optional<std::string> SimulatorOptions::*;
    static const std::map<std::string_view, Word> kWords{{"--host", &SimulatorOptions::host},
                                                         {"--profile", &SimulatorOptions::profile},
                                                         {"--serial", &SimulatorOptions::serial}};
    static const std::map<std::string_view, File> kFiles{
        {"--script", &SimulatorOptions::script},    {"--piv-cert", &SimulatorOptions::pivCert},
        {"--piv-key", &SimulatorOptions::pivKey},   {"--auth-cert", &SimulatorOptions::authCert},
        {"--auth-key", &SimulatorOptions::authKey}, {"--sig-cert", &SimulatorOptions::sigCert},
        {"--sig-key", &SimulatorOptions::sigKey}};
    if (const auto word = kWords.find(name); word != kWords.end()) {
        options.*(word->second) = value;
    } else if (const auto file = kFiles.find(name); file != kFiles.end()) {
        options.*(file->second) = value;
    } else if (name == "--port") {
        const auto port = boundedNumber(value, 1, 65535);
        if (!port)
            return fail("--port takes a TCP port number (1-65535)");
        options.port = static_cast<std::uint16_t>(*port);
    } else if (name == "--pin-tries") {
        const auto tries = boundedNumber(value, 1, 15);
        if (!tries)
            return fail("--pin-tries takes a number from 1 to 15");
        options.pinTries = static_cast<int>(*tries);
    } else if (name == "--actua") {
        return applyActua(value, options);
    } else {
        return applyHex(name, value, options);
    }
    return {};
}

/// --pin: kept in @p options, wiped from the argument copy and from /proc/PID/cmdline (@p argvPin).
Result<void> applyPin(std::string& pin, char* argvPin, SimulatorOptions& options) {
    const bool valid = PivApplet::validPin(pin);
    options.pin = pin;
    OPENSSL_cleanse(pin.data(), pin.size());
    // Out of /proc/PID/cmdline too (ps shows '--pin ****'): it is a test PIN, still a PIN.
    std::memset(argvPin, '*', std::strlen(argvPin));
    if (!valid)
        return fail("--pin takes 4 to 8 digits");
    return {};
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

/// One certificate + key pair from files; the error names the file at fault.
Result<PivCredentials> loadPair(const std::string& certPath, const std::string& keyPath) {
    const auto cert = readFile(certPath);
    const auto key = readFile(keyPath);
    if (!cert || !key)
        return fail("cannot read " + (cert ? keyPath : certPath) + ": " + std::strerror(errno));
    auto credentials = parsePivCredentials(*cert, *key);
    if (!credentials) {
        const std::string& error = credentials.error().message;
        return fail((error.rfind("key", 0) == 0 ? keyPath : certPath) + ": " + error);
    }
    return credentials;
}

/// The CPS card's keys, PIN and EF_ACTUA.
Result<std::shared_ptr<CpsCredentials>> makeCpsCredentials(const SimulatorOptions& options) {
    if (options.authCert.has_value() != options.authKey.has_value())
        return fail("--auth-cert and --auth-key go together");
    if (options.sigCert.has_value() != options.sigKey.has_value())
        return fail("--sig-cert and --sig-key go together");
    std::optional<PivCredentials> auth, sig;
    if (options.authCert) {
        auto pair = loadPair(*options.authCert, *options.authKey);
        if (!pair)
            return pair.error();
        auth = std::move(*pair);
    }
    if (options.sigCert) {
        auto pair = loadPair(*options.sigCert, *options.sigKey);
        if (!pair)
            return pair.error();
        sig = std::move(*pair);
    }
    return std::make_shared<CpsCredentials>(std::move(auth), std::move(sig), options.pin, options.pinTries,
                                            options.actua);
}

/// The PIV applet of --piv-cert/--piv-key, or nullptr without them.
Result<std::shared_ptr<PivApplet>> makePivApplet(const SimulatorOptions& options) {
    if (!options.pivCert && !options.pivKey)
        return std::shared_ptr<PivApplet>();
    if (!options.pivCert || !options.pivKey)
        return fail("--piv-cert and --piv-key go together");
    auto credentials = loadPair(*options.pivCert, *options.pivKey);
    if (!credentials)
        return credentials.error();
    return std::make_shared<PivApplet>(std::move(*credentials), options.pin, options.pinTries);
}

} // namespace

Result<SimulatorOptions, ExitStatus> parseCommandLine(int argc, char** argv) {
    SimulatorOptions options;
    std::vector<std::string> args(argv + 1, argv + argc);
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--help" || a == "-h") {
            std::fputs(kUsage, stdout);
            return ExitStatus{0};
        }
        if (a == "--version") {
            std::printf("cpslock-cardsim %s\n", CPSLOCK_VERSION);
            return ExitStatus{0};
        }
        if (a == "--persist") {
            options.persist = true;
            continue;
        }
        if (std::find(kValueOptions.begin(), kValueOptions.end(), a) == kValueOptions.end())
            return usageError("unknown argument '" + a + "'");
        if (i + 1 >= args.size())
            return usageError(a + " needs a value");
        ++i;
        const auto applied = a == "--pin" ? applyPin(args[i], argv[i + 1], options) : applyValue(a, args[i], options);
        if (!applied)
            return usageError(applied.error().message);
    }
    if (options.port == 0)
        return usageError("--port is required");
    return options;
}

Result<CardMaterial, ExitStatus> loadCardMaterial(const SimulatorOptions& options) {
    if (const auto profile = makeProfile(options.profile, options.serial); !profile)
        return usageError(profile.error().message);
    auto piv = makePivApplet(options);
    if (!piv)
        return usageError(piv.error().message);
    auto cps = makeCpsCredentials(options);
    if (!cps)
        return usageError(cps.error().message);
    return CardMaterial{std::move(*piv), std::move(*cps)};
}

} // namespace cpslock::cardsim
