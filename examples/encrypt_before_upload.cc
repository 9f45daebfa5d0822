// encrypt_before_upload: what an application does with the Keyhold client
// library before it hands files to storage it does not trust. Each FILE of
// a batch is sealed to FILE.khs under a data key that Keyhold wraps with the
// master key $KEYHOLD_KEY, bound to the context {"app": "uploader",
// "batch": BATCH}; then it is opened again, as a downloader would, to check
// it. A cache lets the files of the batch share one data key (at most 100
// files, 60 s), so the server sees one generate-data-key per hundred files,
// not one per file. Files share a key only if they share a context.
//
//   export KEYHOLD_ADDR=https://127.0.0.1:8443 KEYHOLD_CACERT=ca.crt KEYHOLD_TOKEN=...
//   KEYHOLD_KEY=demo/app encrypt_before_upload invoices-2026-12 a.pdf b.pdf c.pdf
//
// docs/library.md walks through it.
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include "client/client.h"

namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

int Fail(const std::string& what, const keyhold::Error& error) {
  std::cerr << "encrypt_before_upload: " << what << ": " << error.message << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace keyhold;
  if (argc < 3) {
    std::cerr << "usage: encrypt_before_upload BATCH FILE...\n";
    return 2;
  }
  const std::string batch = argv[1];
  client::ClientOptions options;
  options.address = Env("KEYHOLD_ADDR");
  options.token = Env("KEYHOLD_TOKEN");
  options.ca_file = Env("KEYHOLD_CACERT");
  auto key = crypto::KeyId::Parse(Env("KEYHOLD_KEY"));
  if (!key.ok()) {
    return Fail("KEYHOLD_KEY", key.error());
  }

  // One connection for the whole run, behind a cache bounded in age and uses.
  auto service = client::KeyholdClient::Create(options);
  if (!service.ok()) {
    return Fail("connecting", service.error());
  }
  auto keys = client::CachingDataKeySource::Create(
      service->get(), {.max_age = std::chrono::seconds(60), .max_uses = 100, .max_entries = 16});
  if (!keys.ok()) {
    return Fail("the cache", keys.error());
  }

  // The context is stored in clear in each sealed file and checked on the
  // way back: it says what the files are, never a secret.
  auto context = crypto::EncryptionContext::Create({{"app", "uploader"}, {"batch", batch}});
  if (!context.ok()) {
    return Fail("the batch name", context.error());
  }
  for (int i = 2; i < argc; ++i) {
    const std::filesystem::path file = argv[i];
    const std::filesystem::path sealed = file.string() + ".khs";
    if (Status s = client::EncryptFile(**keys, *key, *context, file, sealed); !s.ok()) {
      return Fail("sealing " + file.string(), s.error());
    }
    // A downloader states what it expects; a file of another batch or key,
    // or a damaged one, is refused.
    const std::filesystem::path check = file.string() + ".check";
    client::DecryptOptions expect{.expected_key = *key, .expected_context = {{"batch", batch}}};
    if (Status s = client::DecryptFile(**keys, sealed, check, expect); !s.ok()) {
      return Fail("opening " + sealed.string(), s.error());
    }
    std::filesystem::remove(check);
    std::cout << file.string() << " -> " << sealed.string() << "\n";
  }
  return 0;
}
