// SPDX-License-Identifier: EUPL-1.2
#include "core/ProcessHardening.h"

#include <cerrno>
#include <cstring>
#include <string>
#include <sys/prctl.h>
#include <sys/resource.h>

namespace cpslock {

Result<void> disableCoreDumps() {
    const rlimit none{0, 0};
    if (setrlimit(RLIMIT_CORE, &none) != 0)
        return fail(std::string("setrlimit(RLIMIT_CORE, 0): ") + std::strerror(errno));
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        return fail(std::string("prctl(PR_SET_DUMPABLE, 0): ") + std::strerror(errno));
    return {};
}

} // namespace cpslock
