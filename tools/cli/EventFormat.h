// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/ReaderEvent.h"

#include <nlohmann/json.hpp>

#include <string>

namespace cpslock::cli {

/// The stable JSON form of a reader event (one object per line in `cpslock readers --watch --json`):
/// every key is always there, null where it does not apply.
nlohmann::ordered_json toJson(const ReaderEvent& event);

/// One human-readable line.
std::string toText(const ReaderEvent& event);

} // namespace cpslock::cli
