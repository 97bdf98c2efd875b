// SPDX-License-Identifier: EUPL-1.2
// Benchmark helper for bench/agent/bench.py.
//   cpslock-bench-agent             the rig's limit: a raw SCardGetStatusChange(INFINITE) watcher,
//                                       one line per presence change: raw <present|empty> <reader> <mono_ns>;
//                                       stops when standard input closes
//   cpslock-bench-agent --stamp F   appends CLOCK_MONOTONIC ns to F and exits (the action the peer
//                                       card_eventmgr runs on removal)
#include "core/Clock.h"

#include <PCSC/winscard.h>
#include <poll.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

namespace {

std::string underscored(const char* reader) {
    std::string out(reader);
    for (char& c : out) {
        if (c == ' ')
            c = '_';
    }
    return out;
}

int stamp(const char* file) {
    const std::int64_t t = cpslock::monotonicNs();
    std::FILE* f = std::fopen(file, "a");
    if (f == nullptr)
        return 1;
    std::fprintf(f, "%lld\n", static_cast<long long>(t));
    return std::fclose(f) == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    if (argc == 3 && std::strcmp(argv[1], "--stamp") == 0)
        return stamp(argv[2]);
    if (argc != 1) {
        std::fputs("usage: cpslock-bench-agent [--stamp FILE]\n", stderr);
        return 2;
    }
    SCARDCONTEXT context = 0;
    if (SCardEstablishContext(SCARD_SCOPE_SYSTEM, nullptr, nullptr, &context) != SCARD_S_SUCCESS) {
        std::fputs("raw watcher: pcscd not reachable (PCSCLITE_CSOCK_NAME?)\n", stderr);
        return 1;
    }
    char* list = nullptr;
    DWORD length = SCARD_AUTOALLOCATE;
    if (SCardListReaders(context, nullptr, reinterpret_cast<LPSTR>(&list), &length) != SCARD_S_SUCCESS)
        return 1;
    std::vector<std::string> names;
    for (const char* p = list; *p != '\0'; p += std::strlen(p) + 1)
        names.emplace_back(p);
    SCardFreeMemory(context, list);

    std::thread watcher([&] {
        // vpcd's readers are fixed for pcscd's lifetime: list once, then only wait.
        std::vector<SCARD_READERSTATE> states(names.size());
        for (std::size_t i = 0; i < names.size(); ++i)
            states[i].szReader = names[i].c_str();
        std::printf("ready\n");
        std::fflush(stdout);
        for (;;) {
            const LONG rv = SCardGetStatusChange(context, INFINITE, states.data(), static_cast<DWORD>(states.size()));
            const std::int64_t t = cpslock::monotonicNs();
            if (rv != SCARD_S_SUCCESS)
                return;
            for (auto& s : states) {
                const bool was = (s.dwCurrentState & SCARD_STATE_PRESENT) != 0;
                const bool is = (s.dwEventState & SCARD_STATE_PRESENT) != 0;
                if ((s.dwEventState & SCARD_STATE_CHANGED) != 0 && was != is &&
                    s.dwCurrentState != SCARD_STATE_UNAWARE) {
                    std::printf("raw %s %s %lld\n", is ? "present" : "empty", underscored(s.szReader).c_str(),
                                static_cast<long long>(t));
                    std::fflush(stdout);
                }
                s.dwCurrentState = s.dwEventState & ~static_cast<DWORD>(SCARD_STATE_CHANGED);
            }
        }
    });
    char buffer[64];
    while (read(STDIN_FILENO, buffer, sizeof buffer) > 0) {
    }
    SCardCancel(context);
    watcher.join();
    SCardReleaseContext(context);
    return 0;
}
