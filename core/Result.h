// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace cpslock {

/// Why an operation failed, in words fit for a log line or an admin's terminal: it names the file,
/// the line or the field ("/etc/cpslock/policy.toml:12: …"). Library code returns it; the caller
/// decides whether and where to log it (once).
struct Error {
    std::string message;
    bool operator==(const Error&) const = default;
};

/// The one shape of "a value, or why not" in cpslock (STYLE.md, "Errors"). `E` is `Error` almost
/// everywhere; the card path uses `Refusal`, which also carries the doctor's message.
///
///     Result<Config> r = readConfig(path);
///     if (!r) return r.error();          // forward the failure
///     use(*r);
template <class T, class E = Error> class [[nodiscard]] Result {
public:
    Result(T value) : m_value(std::in_place_index<0>, std::move(value)) {}
    Result(E error) : m_value(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return m_value.index() == 0; }
    explicit operator bool() const { return ok(); }

    /// The value; only call when ok().
    T& value() & { return std::get<0>(m_value); }
    const T& value() const& { return std::get<0>(m_value); }
    T&& value() && { return std::get<0>(std::move(m_value)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    /// Why it failed; only call when !ok().
    const E& error() const { return std::get<1>(m_value); }

private:
    std::variant<T, E> m_value;
};

/// "It worked, or why not" for operations that return nothing.
template <class E> class [[nodiscard]] Result<void, E> {
public:
    Result() = default;
    Result(E error) : m_error(std::move(error)) {}

    bool ok() const { return !m_error.has_value(); }
    explicit operator bool() const { return ok(); }
    /// Why it failed; only call when !ok().
    const E& error() const { return *m_error; }

private:
    std::optional<E> m_error;
};

/// A failure with its message, for `return fail("…");` in a function returning Result<…>.
inline Error fail(std::string message) {
    return Error{std::move(message)};
}

} // namespace cpslock
