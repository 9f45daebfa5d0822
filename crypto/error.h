// Error catalogue and Result<T>: the one place where every error Keyhold can
// report is named, with its HTTP status and the only text a caller ever sees.
//
// It lives in the lowest layer so that crypto/, policies/, kms/ and cli/ can
// all name the same codes without calling upward. Thread-safe (immutable).
// May include: std only.
#ifndef KEYHOLD_CRYPTO_ERROR_H_
#define KEYHOLD_CRYPTO_ERROR_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace keyhold {

// ErrorCode names one row of the catalogue. The snake_case name of each row is
// the `error.code` string of the HTTP API (docs/api.md).
enum class ErrorCode : std::uint16_t {
  kInvalidRequest,
  kInvalidKeyId,
  kInvalidContext,
  kInvalidCiphertext,
  kInvalidShare,
  kUnsealFailed,
  kDevModeOnly,
  kUnauthenticated,
  kForbidden,
  kPolicyDenied,
  kApprovalRequired,
  kResidencyViolation,
  kApprovalRefused,
  kInvalidSignature,
  kRequestClosed,
  kKeyNotFound,
  kNotFound,
  kMethodNotAllowed,
  kKeyExists,
  kInvalidKeyState,
  kAlreadyInitialized,
  kNotInitialized,
  kPayloadTooLarge,
  kUnsupportedMediaType,
  kRateLimited,
  kSealed,
  kEncryptionLimitReached,
  kStoreFull,
  kStoreLocked,
  kStoreCorrupt,
  kStoreUnavailable,
  kAuditUnavailable,
  kCryptoFailure,
  kInvalidConfig,
  kInvalidPolicy,
  kIoError,
  kInternal,
};

// ErrorInfo is one row: the API name, the HTTP status, whether the caller
// caused it (4xx) and the generic text used when nothing more specific may be
// said.
struct ErrorInfo {
  ErrorCode code;
  std::string_view name;
  int http_status;
  bool user_error;
  std::string_view safe_text;
};

// ErrorCatalogue returns every row, in enum order.
std::span<const ErrorInfo> ErrorCatalogue();

// Info returns the row of `code`.
const ErrorInfo& Info(ErrorCode code);

// Error is a code plus a message meant for the caller. WARNING: a message must
// never contain secret bytes (keys, plaintext, tokens, shares); key ids,
// versions and state names are fine.
struct Error {
  ErrorCode code;
  std::string message;
};

// MakeError builds an Error whose message is the catalogue's safe text.
inline Error MakeError(ErrorCode code) {
  return Error{code, std::string(Info(code).safe_text)};
}

// MakeError builds an Error with a specific message.
inline Error MakeError(ErrorCode code, std::string message) {
  return Error{code, std::move(message)};
}

// Result<T> holds either a T or an Error. Nothing below the HTTP edge throws;
// fallible functions return a Result and callers must look at it.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // value() and error() require ok() and !ok() respectively; the check runs in
  // release builds too, because reading the wrong side is a logic bug.
  T& value() & {
    CheckOk(true);
    return std::get<0>(v_);
  }
  const T& value() const& {
    CheckOk(true);
    return std::get<0>(v_);
  }
  T&& value() && {
    CheckOk(true);
    return std::get<0>(std::move(v_));
  }
  const Error& error() const {
    CheckOk(false);
    return std::get<1>(v_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  void CheckOk(bool want) const;
  std::variant<T, Error> v_;
};

// Status is a Result with no value.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  static Status Ok() { return Status(); }
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const;

 private:
  Error error_{ErrorCode::kInternal, {}};
  bool ok_ = true;
};

[[noreturn]] void DieOnBadResultAccess(bool wanted_ok);

template <class T>
void Result<T>::CheckOk(bool want) const {
  if (ok() != want) {
    DieOnBadResultAccess(want);
  }
}

}  // namespace keyhold

// KEYHOLD_TRY(expr) returns the error of `expr` (a Status or Result) from the
// enclosing function if it failed. The only early-return macro in the code base.
#define KEYHOLD_TRY(expr)                 \
  do {                                    \
    auto&& keyhold_try_result_ = (expr);  \
    if (!keyhold_try_result_.ok()) {      \
      return keyhold_try_result_.error(); \
    }                                     \
  } while (false)

// KEYHOLD_ASSIGN_OR_RETURN(lhs, expr) evaluates a Result, returns its error on
// failure and otherwise moves its value into `lhs` (which may be a declaration).
#define KEYHOLD_CONCAT_INNER_(a, b) a##b
#define KEYHOLD_CONCAT_(a, b) KEYHOLD_CONCAT_INNER_(a, b)
#define KEYHOLD_ASSIGN_OR_RETURN(lhs, expr) \
  KEYHOLD_ASSIGN_OR_RETURN_IMPL_(KEYHOLD_CONCAT_(keyhold_result_, __LINE__), lhs, expr)
#define KEYHOLD_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) {                                     \
    return tmp.error();                                \
  }                                                    \
  lhs = std::move(tmp).value()

#endif  // KEYHOLD_CRYPTO_ERROR_H_
