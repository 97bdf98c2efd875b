// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include <PCSC/winscard.h>

#include <string>

namespace cpslock::pcsc {

/// True when a PC/SC return code means the resource manager itself is gone or the context is dead:
/// the caller must release its context and establish a new one (SCardIsValidContext cannot be trusted
/// after a pcscd restart, see docs/reference/test-rig.md).
bool isServiceLoss(LONG rv);

/// "SCARD_E_NO_SERVICE (0x8010001D): Service not available." for logs and events.
std::string describe(LONG rv);

} // namespace cpslock::pcsc
