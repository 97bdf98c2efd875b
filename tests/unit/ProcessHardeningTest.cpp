// SPDX-License-Identifier: EUPL-1.2
#include "core/ProcessHardening.h"

#include <gtest/gtest.h>

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

// In a child process: the change is irreversible and would make the test runner undumpable.
TEST(ProcessHardeningTest, DisablesCoreDumpsAndPtrace) {
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        const auto result = cpslock::disableCoreDumps();
        rlimit core{};
        getrlimit(RLIMIT_CORE, &core);
        const bool ok =
            result.ok() && prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0 && core.rlim_cur == 0 && core.rlim_max == 0;
        _exit(ok ? 0 : 1);
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
}
