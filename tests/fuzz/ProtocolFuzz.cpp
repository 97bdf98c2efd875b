// SPDX-License-Identifier: EUPL-1.2
// libFuzzer target: every line a caller or a worker can send to cpslockd (requests, auth answers,
// replies). Parsing must never crash, and what parses must format back to a line that parses to the
// same thing.
#include "protocol/AuthAnswer.h"
#include "protocol/Request.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view line(reinterpret_cast<const char*>(data), size);
    using namespace cpslock::protocol;

    if (const auto parsed = parseRequest(line); parsed) {
        std::string again = formatRequest(*parsed);
        again.pop_back();
        const auto back = parseRequest(again);
        if (!back || back->verb != parsed->verb || back->fields != parsed->fields)
            std::abort();
    }
    if (const auto parsed = parseAnswer(line); parsed) {
        std::string again = formatAnswer(*parsed);
        again.pop_back();
        if (!parseAnswer(again) && again.size() < kMaxLineLength)
            std::abort();
    }
    (void)parseReply(line);
    return 0;
}
