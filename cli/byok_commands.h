// AddByokCommands: `keyhold key import` and `keyhold key export`, bring your
// own key (docs/byok.md). Import does the whole exchange on the client:
// import parameters from the server, the material wrapped here under the
// server's one-time public key, then the import. Export asks officers for
// approval (--request) and, once approved, fetches the material wrapped
// under the customer's public key. Not thread-safe (the CLI's parsing). May
// include: CLI11, std, crypto/, cli/.
#ifndef KEYHOLD_CLI_BYOK_COMMANDS_H_
#define KEYHOLD_CLI_BYOK_COMMANDS_H_

#include <CLI/CLI.hpp>

#include "cli/session.h"

namespace keyhold::cli {

// AddByokCommands adds `import` and `export` to the `key` command. The
// session, printer and exit code must outlive parsing.
void AddByokCommands(CLI::App* key, Session& session, const Emit& emit, int* exit_code);

}  // namespace keyhold::cli

#endif  // KEYHOLD_CLI_BYOK_COMMANDS_H_
