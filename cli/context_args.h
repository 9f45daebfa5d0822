// ParseContextArgs: the CLI's `--context KEY=VALUE` options, repeatable, as
// the pairs of an encryption context. Shared by every command that takes a
// context. Thread-safe (a function). May include: std, cli/.
#ifndef KEYHOLD_CLI_CONTEXT_ARGS_H_
#define KEYHOLD_CLI_CONTEXT_ARGS_H_

#include <string>
#include <utility>
#include <vector>

namespace keyhold::cli {

// ParseContextArgs splits each "KEY=VALUE" at its first '='. It throws
// LocalError (exit code 1) for a pair without '=' or with an empty key, and
// for a key given twice.
std::vector<std::pair<std::string, std::string>> ParseContextArgs(
    const std::vector<std::string>& args);

}  // namespace keyhold::cli

#endif  // KEYHOLD_CLI_CONTEXT_ARGS_H_
