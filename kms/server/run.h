// RunServer: what `keyhold server --config FILE` does once the file is
// loaded: harden the process, raise its soft open-file limit to the hard
// one (warning when that is below server.max_connections + 64), open the
// store, unseal a development store from its key file, start the scheduler
// and the HTTPS server, tell systemd it is ready, and on SIGTERM drain, seal
// (wiping every key in memory) and exit. Returns the process exit status.
#ifndef KEYHOLD_KMS_SERVER_RUN_H_
#define KEYHOLD_KMS_SERVER_RUN_H_

#include "kms/config.h"

namespace keyhold::kms {

int RunServer(const Config& config);

// HardenProcess disables core dumps and ptrace attachment by other users
// (DESIGN.md invariant 1: no secret in a core dump).
void HardenProcess();

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_SERVER_RUN_H_
