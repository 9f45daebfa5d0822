#include "cli/cli.h"

int main(int argc, char** argv) {
  return keyhold::cli::Main(argc, argv);
}
