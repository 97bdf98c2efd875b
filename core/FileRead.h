// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Result.h"

#include <cstddef>
#include <string>

namespace cpslock {

/// Why readRegularFile() returned no text.
struct FileReadError {
    enum class Kind {
        Missing,    ///< the file does not exist (callers may treat it apart)
        Unreadable, ///< any other failure: refused (a symbolic link, not a regular file, too large) or an I/O error
    };
    Kind kind = Kind::Unreadable;
    std::string message; ///< why not ("is a symbolic link (refused)", "larger than ..."), without the path

    bool missing() const { return kind == Kind::Missing; }
};

/// A whole small file, read the one safe way: one open (no symlink followed, no blocking on a FIFO),
/// one fstat (a regular file of at most `maxBytes`), one read of that descriptor. What was checked is
/// what is returned.
Result<std::string, FileReadError> readRegularFile(const std::string& path, std::size_t maxBytes);

} // namespace cpslock
