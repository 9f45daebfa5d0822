#include "cli/file_commands.h"

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "cli/context_args.h"
#include "cli/local_error.h"
#include "client/file_envelope.h"
#include "client/keyhold_client.h"

namespace keyhold::cli {
namespace {

crypto::KeyId ParseKey(const std::string& text) {
  auto key = crypto::KeyId::Parse(text);
  if (!key.ok()) {
    throw LocalError{"a key is named TENANT/NAME: " + key.error().message};
  }
  return std::move(key).value();
}

std::unique_ptr<client::KeyholdClient> Connect(const client::ClientOptions& options) {
  auto c = client::KeyholdClient::Create(options);
  if (!c.ok()) {
    throw LocalError{c.error().message};
  }
  return std::move(c).value();
}

// Finish reports a failure: exit code 2 when the server refused, 1 for
// anything local (a file, the network, a damaged input).
int Finish(const Status& status, const client::KeyholdClient& keys) {
  if (status.ok()) {
    return kExitOk;
  }
  std::cerr << "keyhold: " << (keys.refused() ? "refused: " : "") << status.error().message << "\n";
  return keys.refused() ? kExitRefused : kExitLocal;
}

struct FileArgs {
  std::string key;
  std::vector<std::string> context;
  std::string in;
  std::string out;
};

}  // namespace

void AddFileCommands(CLI::App* app, const client::ClientOptions* options, int* exit_code) {
  auto args = std::make_shared<FileArgs>();

  auto* encrypt = app->add_subcommand(
      "encrypt", "Encrypt a file (any size) under a fresh data key wrapped by KEY");
  encrypt->add_option("--key", args->key, "TENANT/NAME of the master key")->required();
  encrypt->add_option("--context", args->context,
                      "Encryption context KEY=VALUE (repeatable; stored in clear in the file)");
  encrypt->add_option("in", args->in, "The file to encrypt, - for stdin")->required();
  encrypt->add_option("out", args->out, "Where to write it, - for stdout")->required();
  encrypt->footer(
      "Example: keyhold encrypt --key acme/files --context file=report.pdf report.pdf "
      "report.pdf.khs\n"
      "The output appears only when complete (written to a temporary file, synced, renamed).");
  encrypt->callback([args, options, exit_code] {
    const crypto::KeyId key = ParseKey(args->key);
    auto context = crypto::EncryptionContext::Create(ParseContextArgs(args->context));
    if (!context.ok()) {
      throw LocalError{context.error().message};
    }
    auto keys = Connect(*options);
    *exit_code = Finish(client::EncryptFile(*keys, key, *context, args->in, args->out), *keys);
  });

  auto* decrypt = app->add_subcommand("decrypt", "Decrypt a file made by keyhold encrypt");
  decrypt->add_option("--key", args->key, "Refuse the file unless it is sealed under TENANT/NAME");
  decrypt->add_option("--context", args->context,
                      "Refuse the file unless its context holds KEY=VALUE (repeatable)");
  decrypt->add_option("in", args->in, "The encrypted file, - for stdin")->required();
  decrypt->add_option("out", args->out, "Where to write the plaintext, - for stdout")->required();
  decrypt->footer(
      "Example: keyhold decrypt --context file=report.pdf report.pdf.khs report.pdf\n"
      "Every chunk is authenticated before it is written; on any failure the output is removed\n"
      "and the exit code is not 0. With - as the output, check the exit code.");
  decrypt->callback([args, options, exit_code] {
    client::DecryptOptions decrypt_options;
    if (!args->key.empty()) {
      decrypt_options.expected_key = ParseKey(args->key);
    }
    decrypt_options.expected_context = ParseContextArgs(args->context);
    auto keys = Connect(*options);
    *exit_code = Finish(client::DecryptFile(*keys, args->in, args->out, decrypt_options), *keys);
  });
}

}  // namespace keyhold::cli
