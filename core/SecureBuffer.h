// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include <cstddef>
#include <span>

namespace cpslock {

/// Fixed-capacity buffer for a secret (the card PIN). The storage is its own anonymous mapping,
/// mlock'ed (kept out of swap) and excluded from core dumps; it is wiped with explicit_bzero on
/// clear(), on destruction and when a move replaces it. It cannot be copied; moving hands the
/// storage itself over, so the secret never exists in two places.
class SecureBuffer {
public:
    static constexpr std::size_t kPinCapacity = 64;
    /// Longest line readLine() drains after an over-long secret before giving up.
    static constexpr std::size_t kMaxDrain = std::size_t{64} * 1024U;

    /// Maps capacity bytes (rounded up to a page); throws std::bad_alloc when the kernel refuses.
    explicit SecureBuffer(std::size_t capacity = kPinCapacity);
    ~SecureBuffer();

    SecureBuffer(const SecureBuffer&) = delete;
    SecureBuffer& operator=(const SecureBuffer&) = delete;
    /// The source is left empty with no storage (capacity 0).
    SecureBuffer(SecureBuffer&& other) noexcept;
    /// Wipes this buffer's own secret first; the source gets the wiped storage back.
    SecureBuffer& operator=(SecureBuffer&& other) noexcept;

    /// Adds one byte; false (buffer unchanged) when full.
    bool append(char c) noexcept;
    void clear() noexcept;

    const char* data() const noexcept { return m_data; }
    std::size_t size() const noexcept { return m_size; }
    std::size_t capacity() const noexcept { return m_capacity; }
    bool empty() const noexcept { return m_size == 0; }
    /// False when mlock failed (RLIMIT_MEMLOCK): the buffer still works, but may be swapped.
    bool isMemoryLocked() const noexcept { return m_locked; }

    enum class ReadStatus {
        Ok,        ///< one line read (without its '\n' or "\r\n")
        EndOfFile, ///< nothing before end of file
        TooLong,   ///< longer than capacity: buffer wiped, rest of the line drained
        IoError,   ///< read() failed; errorNumber() says why
    };
    /// Reads one line from fd straight into the storage, one byte per read() so that nothing of
    /// the secret stays in a stdio or std::string buffer. The previous content is wiped first.
    /// A last line without '\n' before end of file counts as a line.
    ReadStatus readLine(int fd) noexcept;
    int errorNumber() const noexcept { return m_errno; }

    /// Test hook: the whole storage (capacity bytes, not just size()), to check that it is wiped.
    std::span<const unsigned char> storageForTest() const noexcept;

private:
    void release() noexcept;
    ReadStatus drainLine(int fd) noexcept;

    char* m_data = nullptr;
    std::size_t m_capacity = 0;
    std::size_t m_mapped = 0;
    std::size_t m_size = 0;
    bool m_locked = false;
    int m_errno = 0;
};

} // namespace cpslock
