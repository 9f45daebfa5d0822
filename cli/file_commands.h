// AddFileCommands: `keyhold encrypt` and `keyhold decrypt`, envelope
// encryption of files and streams before upload, through the client library
// (client/file_envelope.h): one generate-data-key call per file to
// encrypt, one unwrap to decrypt. Not thread-safe (the CLI's parsing). May
// include: CLI11, std, client/, crypto/, cli/.
#ifndef KEYHOLD_CLI_FILE_COMMANDS_H_
#define KEYHOLD_CLI_FILE_COMMANDS_H_

#include <CLI/CLI.hpp>

#include "client/https_client.h"

namespace keyhold::cli {

// AddFileCommands adds `encrypt` and `decrypt` to `app`. `options` are the
// global connection options; the commands set `*exit_code`. Both must
// outlive parsing.
void AddFileCommands(CLI::App* app, const client::ClientOptions* options, int* exit_code);

}  // namespace keyhold::cli

#endif  // KEYHOLD_CLI_FILE_COMMANDS_H_
