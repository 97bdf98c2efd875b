// SPDX-License-Identifier: EUPL-1.2
#include "core/SecureBuffer.h"

#include <cerrno>
#include <new>
#include <string.h> // explicit_bzero (glibc)
#include <sys/mman.h>
#include <unistd.h>
#include <utility>

namespace cpslock {
namespace {
std::size_t pageRounded(std::size_t n) {
    const long page = sysconf(_SC_PAGESIZE);
    const std::size_t p = page > 0 ? static_cast<std::size_t>(page) : 4096U;
    return ((n + p - 1) / p) * p;
}

/// One byte from @p fd into @p out, retried on EINTR: 1, 0 at end of file, -1 on error (errno set).
ssize_t readByte(int fd, char* out) noexcept {
    for (;;) {
        const ssize_t n = read(fd, out, 1);
        if (n >= 0 || errno != EINTR)
            return n;
    }
}

} // namespace

SecureBuffer::SecureBuffer(std::size_t capacity) {
    if (capacity == 0)
        return;
    m_mapped = pageRounded(capacity);
    void* p = mmap(nullptr, m_mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        m_mapped = 0;
        throw std::bad_alloc();
    }
    m_data = static_cast<char*>(p);
    m_capacity = capacity;
    // Best effort: without CAP_IPC_LOCK the RLIMIT_MEMLOCK quota may be exhausted; the caller can
    // report isMemoryLocked() but the PIN must still be usable.
    m_locked = mlock(m_data, m_mapped) == 0;
    (void)madvise(m_data, m_mapped, MADV_DONTDUMP);
}

SecureBuffer::~SecureBuffer() {
    release();
}

void SecureBuffer::release() noexcept {
    if (m_data == nullptr)
        return;
    explicit_bzero(m_data, m_mapped);
    if (m_locked)
        munlock(m_data, m_mapped);
    munmap(m_data, m_mapped);
    m_data = nullptr;
    m_capacity = m_mapped = m_size = 0;
    m_locked = false;
}

SecureBuffer::SecureBuffer(SecureBuffer&& other) noexcept
    : m_data(std::exchange(other.m_data, nullptr)), m_capacity(std::exchange(other.m_capacity, 0U)),
      m_mapped(std::exchange(other.m_mapped, 0U)), m_size(std::exchange(other.m_size, 0U)),
      m_locked(std::exchange(other.m_locked, false)), m_errno(std::exchange(other.m_errno, 0)) {}

SecureBuffer& SecureBuffer::operator=(SecureBuffer&& other) noexcept {
    if (this == &other)
        return *this;
    // Our old secret is wiped before the storage goes to the source, which thus holds only zeros.
    clear();
    std::swap(m_data, other.m_data);
    std::swap(m_capacity, other.m_capacity);
    std::swap(m_mapped, other.m_mapped);
    std::swap(m_size, other.m_size);
    std::swap(m_locked, other.m_locked);
    std::swap(m_errno, other.m_errno);
    return *this;
}

bool SecureBuffer::append(char c) noexcept {
    if (m_size >= m_capacity)
        return false;
    m_data[m_size++] = c;
    return true;
}

void SecureBuffer::clear() noexcept {
    if (m_data != nullptr)
        explicit_bzero(m_data, m_capacity);
    m_size = 0;
}

std::span<const unsigned char> SecureBuffer::storageForTest() const noexcept {
    return {reinterpret_cast<const unsigned char*>(m_data), m_capacity};
}

SecureBuffer::ReadStatus SecureBuffer::readLine(int fd) noexcept {
    clear();
    m_errno = 0;
    for (;;) {
        // Full: only an end of line (or of file) may follow, otherwise the secret is too long. The
        // byte is read into a spare char then, wiped below.
        const bool full = m_size == m_capacity;
        char spare = 0;
        char* const next = full ? &spare : m_data + m_size;
        const ssize_t n = readByte(fd, next);
        if (n < 0) {
            m_errno = errno;
            clear();
            return ReadStatus::IoError;
        }
        if (n == 0) {
            if (m_size == 0)
                return ReadStatus::EndOfFile; // also a buffer without storage (moved from)
            break;
        }
        if (*next == '\n') {
            *next = 0;
            break;
        }
        if (full) {
            explicit_bzero(&spare, sizeof spare);
            clear();
            return drainLine(fd);
        }
        ++m_size;
    }
    if (m_size > 0 && m_data[m_size - 1] == '\r')
        m_data[--m_size] = 0;
    return ReadStatus::Ok;
}

SecureBuffer::ReadStatus SecureBuffer::drainLine(int fd) noexcept {
    // The rest of an over-long line is discarded so that the next reader does not take its tail
    // for a new secret; bounded so that an endless writer cannot hold us.
    char c = 0;
    for (std::size_t drained = 0; drained < kMaxDrain;) {
        const ssize_t n = readByte(fd, &c);
        if (n <= 0 || c == '\n')
            break;
        ++drained;
    }
    explicit_bzero(&c, sizeof c);
    return ReadStatus::TooLong;
}

} // namespace cpslock
