// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace cpslock {

/// A whole small file, read the one safe way: one open (no symlink followed, no blocking on a FIFO),
/// one fstat (a regular file of at most `maxBytes`), one read of that descriptor. What was checked is
/// what is returned.
struct FileReadResult {
    std::optional<std::string> text; ///< the content; empty on any failure
    std::string error;               ///< why not ("is a symbolic link (refused)", "larger than ...")
    bool missing = false;            ///< the file does not exist (callers may treat it apart)
};

FileReadResult readRegularFile(const std::string& path, std::size_t maxBytes);

} // namespace cpslock
