// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include <span>
#include <string_view>

namespace cpslock::cli {

/// Every sub-command takes the arguments after its name and returns the process exit code:
/// 0 success, 1 a negative answer (e.g. a refused card), 2 usage or configuration error.
using Args = std::span<const std::string_view>;

int runReaders(Args args);
int runCard(Args args);
int runVerify(Args args);
int runCheckPolicy(Args args);
int runReportLost(Args args);
int runCrl(Args args);
/// `cpslock crl ...`: runs cpslock-crl-update (runCrl in a process of its own) with the same arguments.
int runCrlElsewhere(Args args);
int runDenylist(Args args);

} // namespace cpslock::cli
