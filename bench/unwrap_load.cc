// unwrap_load: open-loop load with one fixed request, a POST with a bearer
// token and a JSON body (bench/load.sh: unwrap against Keyhold, the same
// request against nginx's static answer), at a fixed total rate
// (bench/open_loop.h).
//
// Usage: unwrap_load ADDR CACERT PATH TOKEN BODY RATE SECONDS CONNECTIONS
#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench/open_loop.h"

int main(int argc, char** argv) {
  if (argc != 9) {
    std::fprintf(stderr,
                 "usage: unwrap_load ADDR CACERT PATH TOKEN BODY RATE SECONDS CONNECTIONS\n");
    return 1;
  }
  const keyhold::bench::OpenLoopOptions options{argv[1], argv[2], std::atof(argv[6]),
                                                std::atoi(argv[7]), std::atoi(argv[8])};
  const std::string path = argv[3];
  const std::string authorization = std::string("Bearer ") + argv[4];
  const std::string body = argv[5];
  return keyhold::bench::RunOpenLoop(options, [&](keyhold::client::HttpsClient& client) {
    return client.Request("POST", path, body, {{"Authorization", authorization}});
  });
}
