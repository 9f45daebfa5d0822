// LocalError: a usage error found after parsing (a bad duration, an
// unreadable file), thrown by a command and turned by cli::Main into a
// message on stderr and exit code 1.
#ifndef KEYHOLD_CLI_LOCAL_ERROR_H_
#define KEYHOLD_CLI_LOCAL_ERROR_H_

#include <string>

namespace keyhold::cli {

struct LocalError {
  std::string message;
};

}  // namespace keyhold::cli

#endif  // KEYHOLD_CLI_LOCAL_ERROR_H_
