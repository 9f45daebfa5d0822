#include "cli/session.h"

#include <iostream>

#include "cli/cli.h"
#include "cli/local_error.h"

namespace keyhold::cli {

std::string KeyPath(const std::string& id) {
  const auto slash = id.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == id.size()) {
    throw LocalError{"a key is named TENANT/NAME, got '" + id + "'"};
  }
  return "/v1/keys/" + id;
}

std::optional<Json> Session::Call(const std::string& method, const std::string& target,
                                  const std::optional<Json>& body, int* exit_code) {
  return CallText(method, target, body ? body->dump() : "", exit_code);
}

std::optional<Json> Session::CallText(const std::string& method, const std::string& target,
                                      const std::string& text, int* exit_code) {
  if (!client_) {
    auto c = client::HttpsClient::Create(globals_.client);
    if (!c.ok()) {
      throw LocalError{c.error().message};
    }
    client_ = std::move(c).value();
  }
  auto result = client_->Request(method, target, text);
  if (!result.ok()) {
    throw LocalError{result.error().message};
  }
  last_status_ = result->status;
  Json answer;
  if (result->content_type.rfind("application/json", 0) == 0) {
    answer = Json::parse(result->body.begin(), result->body.end(), nullptr, false);
  } else {
    answer = std::string(result->body.begin(), result->body.end());
  }
  if (result->status >= 200 && result->status < 300) {
    return answer;
  }
  if (answer.is_object() && answer.contains("error")) {
    const Json& e = answer["error"];
    std::cerr << "keyhold: refused (" << result->status << " " << e.value("code", "")
              << "): " << e.value("message", "") << " [request " << e.value("request_id", "")
              << "]\n";
  } else {
    std::cerr << "keyhold: refused (" << result->status << ")\n";
  }
  if (exit_code != nullptr) {
    *exit_code = kExitRefused;
  }
  if (globals_.output == "json") {
    std::cout << answer.dump(2) << "\n";
  }
  return std::nullopt;
}

}  // namespace keyhold::cli
