// SPDX-License-Identifier: EUPL-1.2
#include "tools/cli/Commands.h"
#include "tools/cli/EventFormat.h"
#include "tools/cli/SubCommand.h"

#include "pcsc/ReaderMonitor.h"

#include <csignal>
#include <cstdio>
#include <map>
#include <mutex>
#include <pthread.h>

namespace cpslock::cli {
namespace {

constexpr const char* kHelp =
    "usage: cpslock readers [--json] [--watch]\n"
    "\n"
    "Lists the PC/SC readers and what card each holds (kind: cps3, cps3-contactless, cps4, vitale,\n"
    "other, unreadable; the CPS serial comes from EF.SN.ICC, read without PIN).\n"
    "\n"
    "  --watch   keep running and print one line per event until interrupted:\n"
    "            card-inserted, card-removed, reader-added, reader-removed, service-lost,\n"
    "            service-restored\n"
    "  --json    JSON output; with --watch one object per line with the keys event, reader, atr,\n"
    "            kind, serial, mono_ns (CLOCK_MONOTONIC when the monitor saw the change), detail\n"
    "\n"
    "Exit status: 0 done, 1 the smart-card service (pcscd) cannot be reached, 2 usage error.\n";

void printLine(const std::string& line) {
    std::fputs(line.c_str(), stdout);
    std::fputc('\n', stdout);
    (void)std::fflush(stdout);
}

int watch(bool json) {
    // Block the stop signals before the monitor thread exists, so only sigwait below receives them.
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGINT);
    sigaddset(&stopSignals, SIGTERM);
    sigaddset(&stopSignals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);

    pcsc::ReaderMonitor monitor([json](const ReaderEvent& e) { printLine(json ? toJson(e).dump() : toText(e)); });
    monitor.start();
    int signal = 0;
    sigwait(&stopSignals, &signal);
    monitor.stop();
    return 0;
}

int list(bool json) {
    struct Slot {
        std::optional<ReaderEvent> card;
    };
    std::map<std::string, Slot> readers;
    std::string serviceError;
    pcsc::ReaderMonitor monitor([&](const ReaderEvent& e) {
        switch (e.type) {
        case ReaderEventType::ReaderAdded: readers[e.reader]; break;
        case ReaderEventType::CardInserted: readers[e.reader].card = e; break;
        case ReaderEventType::ServiceLost: serviceError = e.detail; break;
        default: break;
        }
    });
    const bool up = monitor.scanOnce();
    if (!up) {
        if (json)
            printLine(nlohmann::json{{"error", "service-unavailable"}, {"detail", serviceError}}.dump());
        std::fprintf(stderr, "cpslock: the smart-card service (pcscd) cannot be reached: %s\n", serviceError.c_str());
        return 1;
    }
    if (json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& [name, slot] : readers) {
            nlohmann::json card;
            if (slot.card)
                card = {{"atr", toHex(slot.card->atr)},
                        {"kind", std::string(toString(slot.card->kind))},
                        {"serial", slot.card->serial.empty() ? nlohmann::json() : nlohmann::json(slot.card->serial)}};
            out.push_back({{"reader", name}, {"card", card}});
        }
        printLine(nlohmann::json{{"readers", out}}.dump());
        return 0;
    }
    if (readers.empty())
        printLine("no reader");
    for (const auto& [name, slot] : readers) {
        std::string line = name + ": ";
        if (!slot.card) {
            line += "empty";
        } else {
            line += toString(slot.card->kind);
            if (!slot.card->serial.empty())
                line += ", serial " + slot.card->serial;
            line += ", ATR " + toHex(slot.card->atr);
        }
        printLine(line);
    }
    return 0;
}

constexpr SubCommand kCommand("readers", kHelp);

} // namespace

int runReaders(Args args) {
    bool json = false;
    bool watchMode = false;
    for (std::string_view a : args) {
        if (a == "--json") {
            json = true;
        } else if (a == "--watch") {
            watchMode = true;
        } else if (SubCommand::isHelp(a)) {
            return kCommand.help();
        } else {
            return kCommand.usageError("unknown option '" + std::string(a) + "'");
        }
    }
    return watchMode ? watch(json) : list(json);
}

} // namespace cpslock::cli
