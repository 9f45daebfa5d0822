#include "cli/byok_commands.h"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>

#include "cli/local_error.h"
#include "cli/print_key.h"
#include "crypto/base64.h"
#include "crypto/hex.h"
#include "crypto/key_transport.h"
#include "crypto/rsa_oaep.h"
#include "crypto/secret_bytes.h"

namespace keyhold::cli {
namespace {

struct ByokArgs {
  std::string key;
  std::string material_file;
  std::string algorithm = "RSA_AES_KEY_WRAP_SHA_256";
  std::string spec = "RSA_3072";
  std::string expires;
  std::optional<std::uint32_t> version;
  bool exportable = false;
  std::string public_key_file;
  std::string out;
  bool request = false;
  std::string reason;
  std::string text;
};

std::string ReadTextFile(const std::string& path, std::size_t max) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw LocalError{"cannot read " + path};
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.size() > max) {
    throw LocalError{path + " is larger than " + std::to_string(max) + " bytes"};
  }
  return text;
}

// ReadMaterial reads exactly 32 raw bytes into guarded memory.
crypto::SecretBytes ReadMaterial(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw LocalError{"cannot read " + path};
  }
  auto material = crypto::SecretBytes::Allocate(33);
  if (!material.ok()) {
    ::close(fd);
    throw LocalError{material.error().message};
  }
  auto bytes = material->RevealMutable(crypto::SecretAccess::Get());
  std::size_t got = 0;
  ssize_t n = 0;
  while (got < bytes.size() && (n = ::read(fd, bytes.data() + got, bytes.size() - got)) > 0) {
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (n < 0 || got != 32) {
    throw LocalError{path + " must hold exactly 32 bytes of key material (raw, not hex)"};
  }
  material->Shrink(32);
  return std::move(material).value();
}

crypto::WrappingAlgorithm Algorithm(const std::string& name) {
  auto a = crypto::ParseWrappingAlgorithm(name);
  if (!a.ok()) {
    throw LocalError{"--algorithm is RSA_AES_KEY_WRAP_SHA_256 or RSAES_OAEP_SHA_256"};
  }
  return *a;
}

std::unique_ptr<crypto::RsaPublicKey> PublicKey(const std::string& pem, const std::string& what) {
  auto key = crypto::RsaPublicKey::FromPem(pem);
  if (!key.ok()) {
    throw LocalError{what + ": " + key.error().message};
  }
  return std::move(key).value();
}

void WriteFile0600(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw LocalError{"cannot write " + path};
  }
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) {
      ::close(fd);
      throw LocalError{"cannot write " + path};
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    throw LocalError{"cannot write " + path};
  }
}

}  // namespace

void AddByokCommands(CLI::App* key, Session& session, const Emit& emit, int* exit_code) {
  auto args = std::make_shared<ByokArgs>();

  auto* import = key->add_subcommand(
      "import", "Import key material you made (BYOK): wrapped here, never sent in clear");
  import->add_option("key", args->key, "TENANT/NAME: a new key, or an imported one")->required();
  import->add_option("--material", args->material_file, "File of 32 raw bytes")->required();
  import
      ->add_option("--algorithm", args->algorithm, "RSA_AES_KEY_WRAP_SHA_256 or RSAES_OAEP_SHA_256")
      ->capture_default_str();
  import->add_option("--wrapping-key-spec", args->spec, "RSA_3072 or RSA_4096")
      ->capture_default_str();
  import->add_option("--expires", args->expires,
                     "After this UTC time the material is unusable, e.g. 2027-12-31T00:00:00Z");
  import->add_option("--version", args->version,
                     "Import into this existing version (the same material only)");
  import->add_flag("--exportable", args->exportable,
                   "A new key whose material may later be exported, with approval");
  import->footer(
      "Example: keyhold key import acme/byok --material key.bin --expires 2027-12-31T00:00:00Z\n"
      "docs/byok.md shows the same exchange with plain openssl commands.");
  import->callback([args, &session, emit, exit_code] {
    const std::string path = KeyPath(args->key);
  const crypto::WrappingAlgorithm algorithm = Algorithm(args->algorithm);
  crypto::SecretBytes material = ReadMaterial(args->material_file);
  auto params = session.Call("POST", path + "/import-params",
                             Json{{"wrapping_key_spec", args->spec}}, exit_code);
  if (!params) {
    return;
  }
  auto server_key = PublicKey(params->value("public_key", ""), "the server's wrapping key");
  auto wrapped = crypto::WrapKeyMaterial(*server_key, algorithm, material);
  if (!wrapped.ok()) {
    throw LocalError{wrapped.error().message};
  }
  Json body = {{"import_token", params->value("import_token", "")},
               {"wrapping_algorithm", args->algorithm},
               {"wrapped_material", crypto::Base64Encode(*wrapped)}};
  if (!args->expires.empty()) {
    body["material_expires_at"] = args->expires;
  }
  if (args->version) {
    body["version"] = *args->version;
  }
  if (args->exportable) {
    body["exportable"] = true;
  }
  emit(session.Call("POST", path + "/import", body, exit_code), [](const Json& k) {
    std::cout << "imported as version " << k.value("imported_version", 0) << "\n";
    PrintKey(k);
  });
});

auto* exp = key->add_subcommand(
    "export", "Export an exportable key's material wrapped under your RSA public key");
exp->add_option("key", args->key, "TENANT/NAME")->required();
exp->add_option("--public-key", args->public_key_file, "Your RSA public key (PEM)")->required();
exp->add_option("--algorithm", args->algorithm, "RSA_AES_KEY_WRAP_SHA_256 or RSAES_OAEP_SHA_256")
    ->capture_default_str();
exp->add_option("--version", args->version, "The version to export (default: the primary)");
exp->add_option("--out", args->out, "Where to write the wrapped material (mode 0600)");
exp->add_flag("--request", args->request,
              "Ask officers to approve this export (prints the request id for --grant)");
exp->add_option("--reason", args->reason, "With --request: justification reason code");
exp->add_option("--text", args->text, "With --request: justification text");
exp->footer(
    "Example: keyhold key export acme/byok --public-key backup.pem --request --reason "
    "migration --text 'move to DR site'\n"
    "         keyhold --grant REQUEST_ID key export acme/byok --public-key backup.pem "
    "--out acme-byok.wrapped");
exp->callback([args, &session, emit, exit_code] {
  const std::string path = KeyPath(args->key);
  (void)Algorithm(args->algorithm);
  const std::string pem = ReadTextFile(args->public_key_file, 16384);
  auto customer = PublicKey(pem, args->public_key_file);
  if (args->request) {
    if (args->reason.empty() || args->text.empty()) {
      throw LocalError{"--request needs --reason and --text"};
    }
    auto fingerprint = customer->Sha256();
    if (!fingerprint.ok()) {
      throw LocalError{fingerprint.error().message};
    }
    std::uint32_t version = 0;
    if (args->version) {
      version = *args->version;
    } else {
      auto shown = session.Call("GET", path, std::nullopt, exit_code);
      if (!shown) {
        return;
      }
      version = shown->value("primary_version", 0U);
    }
    const Json body = {{"operation", "export"},
                       {"key", args->key},
                       {"context",
                        {{"public_key_sha256", crypto::HexEncode(*fingerprint)},
                         {"wrapping_algorithm", args->algorithm},
                         {"key_version", std::to_string(version)}}},
                       {"justification", {{"reason_code", args->reason}, {"text", args->text}}}};
    emit(session.Call("POST", "/v1/requests", body, exit_code), [](const Json& r) {
      std::cout << "request " << r.value("id", "") << " asks " << r.value("approvals_needed", 0)
                << " " << r.value("approver_role", "") << "s to approve the export\n"
                << "once approved: keyhold --grant " << r.value("id", "")
                << " key export ... --out FILE\n";
    });
    return;
  }
  if (args->out.empty()) {
    throw LocalError{"--out is required (or --request to ask for approval first)"};
  }
  Json body = {{"public_key", pem}, {"wrapping_algorithm", args->algorithm}};
  if (args->version) {
    body["version"] = *args->version;
  }
  auto answer = session.Call("POST", path + "/export", body, exit_code);
  if (!answer) {
    return;
  }
  auto wrapped = crypto::Base64Decode(answer->value("wrapped_material", ""), 4096);
  if (!wrapped.ok()) {
    throw LocalError{"the server sent invalid base64"};
  }
  WriteFile0600(args->out, *wrapped);
  emit(answer, [&](const Json& r) {
    std::cout << "version " << r.value("key_version", 0) << " of " << args->key << " wrapped with "
              << r.value("wrapping_algorithm", "")
              << " under key sha256:" << r.value("public_key_sha256", "") << "\nwritten to "
              << args->out << "\n";
  });
});
}  // namespace keyhold::cli

}  // namespace keyhold::cli
