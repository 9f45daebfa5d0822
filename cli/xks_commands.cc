#include "cli/xks_commands.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "cli/local_error.h"

namespace keyhold::cli {
namespace {

struct XksArgs {
  std::string key_store;
  std::string config_file;
  std::string access_key_id;
};

// NewFile0600 creates `path` before anything is asked of the server, so
// that a name already taken cannot cost a credential whose secret would
// then have nowhere to go. Write fills it; dropping it unwritten removes it.
class NewFile0600 {
 public:
  explicit NewFile0600(std::string path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd_ < 0) {
      throw LocalError{"cannot create " + path_ + " (it must not exist yet)"};
    }
  }
  NewFile0600(const NewFile0600&) = delete;
  NewFile0600& operator=(const NewFile0600&) = delete;
  ~NewFile0600() {
    if (fd_ >= 0) {
      ::close(fd_);
      ::unlink(path_.c_str());
    }
  }

  void Write(const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
      const ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
      if (n <= 0) {
        throw LocalError{"cannot write " + path_};
      }
      done += static_cast<std::size_t>(n);
    }
    const int fd = fd_;
    fd_ = -1;
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
      ::unlink(path_.c_str());
      throw LocalError{"cannot write " + path_};
    }
  }

 private:
  std::string path_;
  int fd_ = -1;
};

void PrintCredential(const Json& c) {
  std::cout << "access key id: " << c.value("access_key_id", "") << "\n"
            << "key store:     " << c.value("key_store", "") << "\n"
            << "created:       " << c.value("created_at", "") << "\n";
  if (c.contains("revoked_at") && !c["revoked_at"].is_null()) {
    std::cout << "revoked:       " << c["revoked_at"].get<std::string>() << "\n";
  }
}

}  // namespace

void AddXksCommands(CLI::App* app, Session& session, const Emit& emit, int* exit_code) {
  auto args = std::make_shared<XksArgs>();
  auto* xks = app->add_subcommand("xks", "AWS KMS external key store (XKS) proxy credentials");
  xks->require_subcommand(1);
  auto* credential =
      xks->add_subcommand("credential", "SigV4 credentials of a key store (admin of all tenants)");
  credential->require_subcommand(1);

  auto* create = credential->add_subcommand(
      "create", "Make a credential for a key store (its secret is shown once)");
  create->add_option("--key-store", args->key_store, "A [[xks.key_store]] name")->required();
  create->add_option("--config-file", args->config_file,
                     "Write the proxy configuration file for AWS's console here (mode 0600) "
                     "instead of printing the secret");
  create->footer(
      "Example: keyhold xks credential create --key-store payments --config-file xks-proxy.json");
  create->callback([&session, &emit, exit_code, args] {
    const Json body = {{"key_store", args->key_store}};
    std::unique_ptr<NewFile0600> file;
    if (!args->config_file.empty()) {
      file = std::make_unique<NewFile0600>(args->config_file);
    }
    auto answer = session.Call("POST", "/v1/xks/credentials", body, exit_code);
    if (answer && file) {
      file->Write((*answer)["proxy_configuration"].dump(2) + "\n");
      std::cout << "access key id: " << answer->value("access_key_id", "") << "\n"
                << "proxy configuration written to " << args->config_file << "\n";
      return;
    }
    emit(answer, [](const Json& r) {
      PrintCredential(r);
      std::cout << "secret:        " << r.value("secret_access_key", "") << "\n"
                << "uri path:      " << r["proxy_configuration"].value("XksProxyUriPath", "")
                << "\n"
                << "(the secret is shown once; give it to AWS KMS's CreateCustomKeyStore)\n";
    });
  });

  auto* list = credential->add_subcommand("list", "List credentials (never their secrets)");
  list->footer("Example: keyhold xks credential list");
  list->callback([&session, &emit, exit_code] {
    emit(session.Call("GET", "/v1/xks/credentials", std::nullopt, exit_code), [](const Json& r) {
      std::printf("%-26s %-20s %-22s %s\n", "ACCESS KEY ID", "KEY STORE", "CREATED", "STATUS");
      for (const auto& c : r["credentials"]) {
        std::printf("%-26s %-20s %-22s %s\n", c.value("access_key_id", "").c_str(),
                    c.value("key_store", "").c_str(), c.value("created_at", "").c_str(),
                    c["revoked_at"].is_null() ? "live" : "revoked");
      }
    });
  });

  auto* revoke = credential->add_subcommand("revoke", "Revoke a credential, at once");
  revoke->add_option("access_key_id", args->access_key_id, "The credential's access key id")
      ->required();
  revoke->footer("Example: keyhold xks credential revoke KHX2T4MZQ7AB3CDEFGHJKLMN");
  revoke->callback([&session, &emit, exit_code, args] {
    emit(session.Call("POST", "/v1/xks/credentials/" + args->access_key_id + "/revoke",
                      Json::object(), exit_code),
         PrintCredential);
  });
}

}  // namespace keyhold::cli
