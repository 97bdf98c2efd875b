// SPDX-License-Identifier: EUPL-1.2
#include "core/ProcessHardening.h"

#include <cerrno>
#include <cstring>
#include <sys/prctl.h>
#include <sys/resource.h>

namespace cpslock {

HardeningResult disableCoreDumps() {
    HardeningResult result;
    const rlimit none{0, 0};
    if (setrlimit(RLIMIT_CORE, &none) != 0) {
        result.error = std::string("setrlimit(RLIMIT_CORE, 0): ") + std::strerror(errno);
        return result;
    }
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
        result.error = std::string("prctl(PR_SET_DUMPABLE, 0): ") + std::strerror(errno);
        return result;
    }
    result.ok = true;
    return result;
}

} // namespace cpslock
