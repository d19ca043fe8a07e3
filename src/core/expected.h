#pragma once

#include <QString>

#include <optional>
#include <utility>

// Error categories shared by the service, the API (HTTP status) and the UI (message box).
enum class ErrorCode {
    None,
    InvalidArgument, // bad input from the caller: nothing was written
    NotFound,
    Conflict,        // illegal transition, duplicate, wrong state
    Storage,         // the database refused (disk full, I/O error, corruption)
    Fenced,          // a worker's write to a job it no longer holds (its claim was superseded)
    Unavailable,     // the queue's database server cannot be reached now: try again later
};

// A failure reason: a category and a human-readable message.
struct Error
{
    ErrorCode code = ErrorCode::None;
    QString message;
};

// A value or an error, for service calls whose failure the caller must handle.
template <typename T>
class Expected final
{
public:
    Expected(T value) : m_value(std::move(value)) {}
    Expected(Error error) : m_error(std::move(error)) {}

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }
    const T &value() const & { return *m_value; }
    T &value() & { return *m_value; }
    T &&value() && { return std::move(*m_value); }
    const T *operator->() const { return &*m_value; }
    const Error &error() const { return m_error; }
    T value_or(T fallback) const { return m_value ? *m_value : std::move(fallback); }

private:
    std::optional<T> m_value;
    Error m_error;
};

inline Error makeError(ErrorCode code, QString message)
{
    return Error{code, std::move(message)};
}
