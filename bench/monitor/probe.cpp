// SPDX-License-Identifier: EUPL-1.2
// Benchmark helper: runs the ReaderMonitor and, in the same process, a raw SCardGetStatusChange watcher
// (the rig's limit), and prints one line per event from each with CLOCK_MONOTONIC stamps:
//   raw <present|empty> <reader> <wakeup_ns>
//   monitor <event> <reader> <kind> <serial|-> <wakeup_ns> <delivered_ns>
// Stops on SIGTERM/SIGINT or when standard input closes. bench/monitor/bench.py drives it.
#include "pcsc/ReaderMonitor.h"

#include "core/Clock.h"

#include <PCSC/winscard.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

std::mutex g_out;

void line(const std::string& text) {
    std::lock_guard lock(g_out);
    std::fputs(text.c_str(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

std::string quoted(const std::string& reader) {
    std::string out;
    for (char c : reader)
        out.push_back(c == ' ' ? '_' : c);
    return out;
}

/// The simplest correct watcher: one context, readers listed once (vpcd's readers are fixed).
void rawWatcher(std::atomic<bool>& stop, SCARDCONTEXT& context) {
    pthread_setname_np(pthread_self(), "raw-watcher");
    char* list = nullptr;
    DWORD length = SCARD_AUTOALLOCATE;
    if (SCardListReaders(context, nullptr, reinterpret_cast<LPSTR>(&list), &length) != SCARD_S_SUCCESS)
        return;
    std::vector<std::string> names;
    for (const char* p = list; *p; p += std::strlen(p) + 1)
        names.emplace_back(p);
    SCardFreeMemory(context, list);
    std::vector<SCARD_READERSTATE> states(names.size());
    for (std::size_t i = 0; i < names.size(); ++i)
        states[i].szReader = names[i].c_str();
    while (!stop) {
        const LONG rv = SCardGetStatusChange(context, INFINITE, states.data(), static_cast<DWORD>(states.size()));
        const std::int64_t t = cpslock::monotonicNs();
        if (rv != SCARD_S_SUCCESS)
            return;
        for (auto& s : states) {
            const bool was = s.dwCurrentState & SCARD_STATE_PRESENT;
            const bool is = s.dwEventState & SCARD_STATE_PRESENT;
            if ((s.dwEventState & SCARD_STATE_CHANGED) && was != is && s.dwCurrentState != SCARD_STATE_UNAWARE)
                line(std::string("raw ") + (is ? "present " : "empty ") + quoted(s.szReader) + " " + std::to_string(t));
            s.dwCurrentState = s.dwEventState & ~static_cast<DWORD>(SCARD_STATE_CHANGED);
        }
    }
}

} // namespace

int main() {
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGINT);
    sigaddset(&stopSignals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);

    SCARDCONTEXT rawContext = 0;
    if (SCardEstablishContext(SCARD_SCOPE_SYSTEM, nullptr, nullptr, &rawContext) != SCARD_S_SUCCESS) {
        std::fprintf(stderr, "bench: pcscd not reachable (PCSCLITE_CSOCK_NAME?)\n");
        return 1;
    }
    std::atomic<bool> stop{false};
    std::thread raw(rawWatcher, std::ref(stop), std::ref(rawContext));

    cpslock::pcsc::ReaderMonitor monitor([](const cpslock::ReaderEvent& e) {
        const std::int64_t delivered = cpslock::monotonicNs();
        line("monitor " + std::string(cpslock::toString(e.type)) + " " + quoted(e.reader.empty() ? "-" : e.reader) +
             " " + std::string(cpslock::toString(e.kind)) + " " + (e.serial.empty() ? "-" : e.serial) + " " +
             std::to_string(e.monoNs) + " " + std::to_string(delivered));
    });
    monitor.start();
    line("ready " + std::to_string(getpid()));

    // Wait for a stop signal or the end of standard input, whichever comes first.
    const int signalFd = [&] {
        int fds[2];
        if (pipe(fds) != 0)
            return -1;
        std::thread([&stopSignals, w = fds[1]] {
            int sig = 0;
            sigwait(&stopSignals, &sig);
            const char c = 1;
            [[maybe_unused]] const ssize_t n = write(w, &c, 1);
        }).detach();
        return fds[0];
    }();
    pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {signalFd, POLLIN, 0}};
    for (;;) {
        if (poll(fds, 2, -1) < 0)
            continue;
        if (fds[1].revents)
            break;
        if (fds[0].revents) {
            char buffer[256];
            if (read(STDIN_FILENO, buffer, sizeof buffer) <= 0)
                break;
        }
    }
    monitor.stop();
    stop = true;
    SCardCancel(rawContext);
    raw.join();
    SCardReleaseContext(rawContext);
    return 0;
}
