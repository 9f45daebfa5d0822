// Session: the CLI's connection to one server for one command, and what the
// commands share: the global options (Globals), how an answer is printed
// (Emit) and how a key's path is spelled (KeyPath). Call prints a refusal
// and sets exit code 2; a local failure throws LocalError (exit code 1).
// Not thread-safe. May include: std, nlohmann/json, client/, cli/.
#ifndef KEYHOLD_CLI_SESSION_H_
#define KEYHOLD_CLI_SESSION_H_

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "client/https_client.h"

namespace keyhold::cli {

using Json = nlohmann::json;

// Globals are the options every command shares.
struct Globals {
  client::ClientOptions client;
  std::string output = "text";
};

// Emit prints an answer: as JSON with --output json, else through the
// command's text printer. A refused call has no answer to print.
using Emit =
    std::function<void(const std::optional<Json>&, const std::function<void(const Json&)>&)>;

// KeyPath returns "/v1/keys/TENANT/NAME", or throws LocalError for a name
// that is not TENANT/NAME.
std::string KeyPath(const std::string& id);

class Session {
 public:
  // `globals` must outlive the session; it connects on the first call.
  explicit Session(const Globals& globals) : globals_(globals) {}

  // Call sends a request and returns the parsed JSON answer. A refusal is
  // printed on stderr, sets `*exit_code` to 2 and returns nullopt.
  std::optional<Json> Call(const std::string& method, const std::string& target,
                           const std::optional<Json>& body = std::nullopt,
                           int* exit_code = nullptr);

  // CallText sends `text` as the body unchanged (a policy document keeps
  // its lines, so the server's errors name the same ones as the file).
  std::optional<Json> CallText(const std::string& method, const std::string& target,
                               const std::string& text, int* exit_code);

  int last_status() const { return last_status_; }

 private:
  const Globals& globals_;
  std::unique_ptr<client::HttpsClient> client_;
  int last_status_ = 0;
};

}  // namespace keyhold::cli

#endif  // KEYHOLD_CLI_SESSION_H_
