#include "sandbox/keeper.hpp"

int main(int argc, char** argv) {
  return pj::sandbox::keeper_main(argc, argv);
}
