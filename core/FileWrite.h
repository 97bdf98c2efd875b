// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Result.h"

#include <string>
#include <string_view>
#include <sys/types.h>

namespace cpslock {

/// Replaces `path` with `content` so that a reader sees the old file or the new one, never a part:
/// a temporary file in the same folder (name starting with '.', which the readers skip), written,
/// fsync'ed, renamed over `path`, then the folder fsync'ed. The temporary file is removed on any
/// failure, and the old file is then left as it was.
/// @retval error why not, naming the file
Result<void> writeFileAtomically(const std::string& path, std::string_view content, mode_t mode);

} // namespace cpslock
