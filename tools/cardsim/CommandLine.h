// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Result.h"
#include "tools/cardsim/Simulator.h"

#include <memory>

namespace cpslock::cardsim {

/// Where cpslock-cardsim stops before it runs: --help, --version (0) or a usage error (2), whose
/// message and the usage are already on stderr.
struct ExitStatus {
    int code = 0;
};

/// Parses the command line. The PIN's argv copy is overwritten with '*' (ps shows '--pin ****').
Result<SimulatorOptions, ExitStatus> parseCommandLine(int argc, char** argv);

/// What the options make of the card: its profile checked, the PIV applet of --piv-cert/--piv-key
/// (nullptr without them) and the CPS card's keys, PIN and EF_ACTUA, the files read and parsed.
struct CardMaterial {
    std::shared_ptr<PivApplet> piv;
    std::shared_ptr<CpsCredentials> cps;
};
Result<CardMaterial, ExitStatus> loadCardMaterial(const SimulatorOptions& options);

} // namespace cpslock::cardsim
