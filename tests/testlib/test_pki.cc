#include "tests/testlib/test_pki.h"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

namespace keyhold::testing {
namespace {

void Run(const std::string& command) {
  if (std::system((command + " >/dev/null 2>&1").c_str()) != 0) {
    std::cerr << "test PKI: command failed: " << command << "\n";
    std::abort();
  }
}

void MakeCa(const std::filesystem::path& dir, const std::string& name) {
  Run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj '/CN=" +
      name + "' -keyout " + (dir / (name + ".key")).string() + " -out " +
      (dir / (name + ".crt")).string() +
      " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign");
}

void MakeLeaf(const std::filesystem::path& dir, const std::string& ca, const std::string& name,
              const std::string& cn, const std::string& san, const std::string& usage) {
  const auto ext = dir / (name + ".ext");
  std::ofstream(ext) << "subjectAltName=" << san << "\nbasicConstraints=CA:FALSE\n"
                     << "extendedKeyUsage=" << usage << "\n";
  Run("openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj '/CN=" + cn +
      "' -keyout " + (dir / (name + ".key")).string() + " -out " +
      (dir / (name + ".csr")).string());
  Run("openssl x509 -req -in " + (dir / (name + ".csr")).string() + " -CA " +
      (dir / (ca + ".crt")).string() + " -CAkey " + (dir / (ca + ".key")).string() +
      " -CAcreateserial -days 30 -extfile " + ext.string() + " -out " +
      (dir / (name + ".crt")).string());
}

}  // namespace

TestPki MakeTestPki(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  MakeCa(dir, "ca");
  MakeCa(dir, "foreign-ca");
  MakeLeaf(dir, "ca", "server", "localhost", "DNS:localhost,IP:127.0.0.1", "serverAuth");
  MakeLeaf(dir, "ca", "client", "app1-cn", "DNS:app1.test", "clientAuth");
  MakeLeaf(dir, "foreign-ca", "foreign-client", "app1-cn", "DNS:app1.test", "clientAuth");
  return TestPki{
      dir / "ca.crt",     dir / "server.crt",         dir / "server.key",        dir / "client.crt",
      dir / "client.key", dir / "foreign-client.crt", dir / "foreign-client.key"};
}

}  // namespace keyhold::testing
