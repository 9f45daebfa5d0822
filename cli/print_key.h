// PrintKey: a key as `keyhold key show` prints it in text mode: state,
// versions, residency, origin, and for imported material its expiry.
// Thread-compatible (writes to std::cout). May include: std,
// nlohmann/json, cli/.
#ifndef KEYHOLD_CLI_PRINT_KEY_H_
#define KEYHOLD_CLI_PRINT_KEY_H_

#include <nlohmann/json.hpp>

namespace keyhold::cli {

// PrintKey prints the API's rendering of a key (docs/api.md).
void PrintKey(const nlohmann::json& key);

}  // namespace keyhold::cli

#endif  // KEYHOLD_CLI_PRINT_KEY_H_
