// cli/: the `keyhold` command. Thin: it parses arguments (CLI11), talks to
// a server over HTTPS (cli/https_client.h) or, for `keyhold server`, starts
// one (kms/server/run.h). May include kms/ and crypto/; nothing includes
// cli/ but its tests.
//
// Exit codes: 0 ok, 1 local or usage error (bad arguments, unreadable file,
// no connection), 2 refused by the server (any non-2xx answer).
#ifndef KEYHOLD_CLI_CLI_H_
#define KEYHOLD_CLI_CLI_H_

namespace keyhold::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitLocal = 1;
inline constexpr int kExitRefused = 2;

// Main runs the command line and returns the exit code.
int Main(int argc, char** argv);

}  // namespace keyhold::cli

#endif  // KEYHOLD_CLI_CLI_H_
