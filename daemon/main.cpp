#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char** argv) {
  CLI::App app{"newswatchd: watches news feeds and publishes alerts"};
  app.set_version_flag("--version", std::string("newswatchd ") + NEWSWATCH_VERSION);
  CLI11_PARSE(app, argc, argv);
  std::cerr << "newswatchd: no command yet\n";
  return 2;
}
