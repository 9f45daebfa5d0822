#include "cli/print_key.h"

#include <iostream>
#include <string>

namespace keyhold::cli {

void PrintKey(const nlohmann::json& k) {
  std::cout << "key " << k.value("id", "") << "\n"
            << "  state:                  " << k.value("state", "") << "\n"
            << "  origin:                 " << k.value("origin", "") << "\n"
            << "  exportable:             " << (k.value("exportable", false) ? "yes" : "no") << "\n"
            << "  primary version:        " << k.value("primary_version", 0) << "\n"
            << "  min decryption version: " << k.value("min_decryption_version", 0) << "\n"
            << "  rotation period:        " << k.value("rotation_period_s", 0) / 86400 << " days\n"
            << "  residency:              "
            << (k.contains("residency") && k["residency"].is_string()
                    ? k["residency"].get<std::string>()
                    : std::string("none (any region)"))
            << "\n"
            << "  created:                " << k.value("created_at", "") << "\n"
            << "  last rotated:           " << k.value("last_rotated_at", "") << "\n";
  if (k.contains("deletion_at") && !k["deletion_at"].is_null()) {
    std::cout << "  deletion at:            " << k["deletion_at"].get<std::string>() << "\n";
  }
  if (k.contains("versions")) {
    for (const auto& v : k["versions"]) {
      std::cout << "  version " << v.value("version", 0) << ": created "
                << v.value("created_at", "") << ", " << v.value("encryptions", 0) << " encryptions";
      if (v.contains("material_expires_at") && v["material_expires_at"].is_string()) {
        std::cout << ", material expires " << v["material_expires_at"].get<std::string>();
      }
      std::cout << "\n";
    }
  }
}

}  // namespace keyhold::cli
