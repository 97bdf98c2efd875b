// SPDX-License-Identifier: EUPL-1.2
// cpslock-cardsim: a virtual CPS card (and Vitale / other cards) for the vsmartcard vpcd reader.
// main reads the command line (CommandLine), loads the card material and hands over to Simulator.
#include "tools/cardsim/CommandLine.h"

#include <openssl/crypto.h>
#include <signal.h>
#include <sys/signalfd.h>

#include <csignal>
#include <cstdio>
#include <exception>

namespace {

int run(int argc, char** argv) {
    using namespace cpslock::cardsim;
    auto options = parseCommandLine(argc, argv);
    if (!options)
        return options.error().code;
    auto material = loadCardMaterial(*options);
    OPENSSL_cleanse(options->pin.data(), options->pin.size());
    if (!material)
        return material.error().code;

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
    (void)std::signal(SIGPIPE, SIG_IGN);
    return Simulator(std::move(*options), std::move(material->piv), std::move(material->cps)).run(signalFd);
}

} // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        (void)std::fprintf(stderr, "cpslock-cardsim: %s\n", e.what());
        return 1;
    }
}
