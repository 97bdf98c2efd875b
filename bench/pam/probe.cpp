// SPDX-License-Identifier: EUPL-1.2
// Times pam_authenticate() alone, as a screen locker calls it: one process, one PAM transaction per
// run, the PIN answered by the conversation. Run under pam_wrapper (bench/pam/bench.py).
//   usage: cpslock-bench-pam SERVICE USER PIN RUNS
// Prints one line per run: "pam_ms=<milliseconds> rc=<pam return code>".
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <security/pam_appl.h>

namespace {

struct Answer {
    const char* pin;
};

int converse(int count, const pam_message** messages, pam_response** responses, void* data) {
    const auto* answer = static_cast<const Answer*>(data);
    auto* replies = static_cast<pam_response*>(std::calloc(static_cast<std::size_t>(count), sizeof(pam_response)));
    if (replies == nullptr)
        return PAM_BUF_ERR;
    for (int i = 0; i < count; ++i) {
        if (messages[i]->msg_style == PAM_PROMPT_ECHO_OFF)
            replies[i].resp = strdup(answer->pin);
    }
    *responses = replies;
    return PAM_SUCCESS;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 5) {
        std::fprintf(stderr, "usage: cpslock-bench-pam SERVICE USER PIN RUNS\n");
        return 2;
    }
    Answer answer{argv[3]};
    const pam_conv conversation{converse, &answer};
    const int runs = std::atoi(argv[4]);
    for (int i = 0; i < runs; ++i) {
        pam_handle_t* pamh = nullptr;
        if (pam_start(argv[1], argv[2], &conversation, &pamh) != PAM_SUCCESS) {
            std::fprintf(stderr, "pam_start failed\n");
            return 1;
        }
        const auto start = std::chrono::steady_clock::now();
        const int rc = pam_authenticate(pamh, 0);
        const std::chrono::duration<double, std::milli> spent = std::chrono::steady_clock::now() - start;
        pam_end(pamh, rc);
        std::printf("pam_ms=%.3f rc=%d\n", spent.count(), rc);
        std::fflush(stdout);
    }
    return 0;
}
