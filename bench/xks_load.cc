// xks_load: open-loop load on an XKS encrypt route (bench/xks_load.sh), as
// AWS KMS would send it: every request signed with SigV4 (service
// kms-xks-proxy), at a fixed total rate (bench/open_loop.h).
//
// Usage: xks_load ADDR CACERT PATH ACCESS_KEY_ID SECRET RATE SECONDS CONNECTIONS
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "bench/open_loop.h"
#include "kms/xks/sigv4.h"

namespace {

// The body AWS KMS sends for GenerateDataKey: a 32-byte data key.
std::string Body() {
  return R"({"requestMetadata":{"awsPrincipalArn":"arn:aws:iam::111122223333:role/bench",)"
         R"("kmsKeyArn":"arn:aws:kms:us-east-1:111122223333:key/bench","kmsOperation":)"
         R"("GenerateDataKey","kmsRequestId":"00000000-0000-0000-0000-000000000000"},)"
         R"("plaintext":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",)"
         R"("additionalAuthenticatedData":"YmVuY2g=","encryptionAlgorithm":"AES_GCM",)"
         R"("ciphertextDataIntegrityValueAlgorithm":"SHA_256"})";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 9) {
    std::fprintf(
        stderr, "usage: xks_load ADDR CACERT PATH ACCESS_KEY_ID SECRET RATE SECONDS CONNECTIONS\n");
    return 1;
  }
  const keyhold::bench::OpenLoopOptions options{argv[1], argv[2], std::atof(argv[6]),
                                                std::atoi(argv[7]), std::atoi(argv[8])};
  const std::string path = argv[3];
  const std::string akid = argv[4];
  const std::string secret = argv[5];
  const std::string host = options.address.substr(options.address.find("://") + 3);
  const std::string body = Body();
  return keyhold::bench::RunOpenLoop(
      options,
      [&](keyhold::client::HttpsClient& client) -> keyhold::Result<keyhold::client::HttpResult> {
        const std::string date = *keyhold::kms::xks::FormatAmzDate(std::time(nullptr));
        const std::vector<std::pair<std::string_view, std::string_view>> headers = {
            {"Host", host}, {"X-Amz-Date", date}, {"Content-Type", "application/json"}};
        auto auth = keyhold::kms::xks::Sign({"POST", path, "", headers, body}, akid, secret,
                                            "us-east-1", "kms-xks-proxy", date);
        if (!auth.ok()) {
          return auth.error();
        }
        return client.Request("POST", path, body,
                              {{"Host", host}, {"X-Amz-Date", date}, {"Authorization", *auth}});
      });
}
