// AuditCommands: `keyhold audit verify|export|tail`, which read audit log
// files on the host where they are (no server needed): verify checks them
// (kms/audit/audit_verifier.h), export and tail print records
// (kms/audit/audit_reader.h, kms/audit/audit_export.h).
#ifndef KEYHOLD_CLI_AUDIT_COMMANDS_H_
#define KEYHOLD_CLI_AUDIT_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <string>

namespace keyhold::cli {

// AddAuditCommands adds `audit` and its subcommands to `app`. `output` is
// the global --output ("text" or "json"); the commands set `*exit_code`.
// Both must outlive parsing.
void AddAuditCommands(CLI::App* app, const std::string* output, int* exit_code);

}  // namespace keyhold::cli

#endif  // KEYHOLD_CLI_AUDIT_COMMANDS_H_
