#include "cli/context_args.h"

#include <algorithm>

#include "cli/local_error.h"

namespace keyhold::cli {

std::vector<std::pair<std::string, std::string>> ParseContextArgs(
    const std::vector<std::string>& args) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& arg : args) {
    const auto eq = arg.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw LocalError{"--context takes KEY=VALUE, got '" + arg + "'"};
    }
    std::string key = arg.substr(0, eq);
    if (std::ranges::any_of(pairs, [&](const auto& p) { return p.first == key; })) {
      throw LocalError{"--context key '" + key + "' given twice"};
    }
    pairs.emplace_back(std::move(key), arg.substr(eq + 1));
  }
  return pairs;
}

}  // namespace keyhold::cli
