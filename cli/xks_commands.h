// AddXksCommands: `keyhold xks credential create|list|revoke`, the SigV4
// credentials AWS KMS calls the XKS proxy API with (docs/xks.md). Create
// prints the credential once, or writes the proxy configuration file AWS's
// console takes (--config-file, mode 0600, never overwritten). Not
// thread-safe (the CLI's parsing). May include: CLI11, std, cli/.
#ifndef KEYHOLD_CLI_XKS_COMMANDS_H_
#define KEYHOLD_CLI_XKS_COMMANDS_H_

#include <CLI/CLI.hpp>

#include "cli/session.h"

namespace keyhold::cli {

// AddXksCommands adds the `xks` command to `app`. The session, printer and
// exit code must outlive parsing.
void AddXksCommands(CLI::App* app, Session& session, const Emit& emit, int* exit_code);

}  // namespace keyhold::cli

#endif  // KEYHOLD_CLI_XKS_COMMANDS_H_
