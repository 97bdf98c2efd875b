// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Result.h"

namespace cpslock {

/// Makes the process non-dumpable (prctl PR_SET_DUMPABLE 0: no core file, no ptrace by the same
/// user, /proc/PID/mem closed) and sets RLIMIT_CORE to 0, so that a crash while a PIN is in memory
/// leaves no copy on disk. Call first thing in main() of every program that handles a PIN.
/// @retval error names the call that failed and errno's text
Result<void> disableCoreDumps();

} // namespace cpslock
