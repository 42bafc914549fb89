#pragma once
// Starts tests/support/http_server.py (a hostile loopback HTTP server) for one test and stops it when
// the object goes away. Also a tiny blocking GET for the server's /_requests log, kept apart from the
// code under test so that a broken fetcher cannot fake its own evidence.
#include <curl/curl.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "fixtures.hpp"

extern char** environ;

namespace newswatch::testing {

class LoopbackHttpServer {
 public:
  // Extra arguments go to the script, e.g. {"--root", "/tmp/x"}.
  explicit LoopbackHttpServer(std::vector<std::string> extra_args = {}) {
    int to_child[2], from_child[2];
    if (pipe2(to_child, O_CLOEXEC) != 0 || pipe2(from_child, O_CLOEXEC) != 0)
      throw std::runtime_error("pipe failed");
    std::string script = (tests_dir() / "support" / "http_server.py").string();
    std::vector<std::string> args = {"/usr/bin/python3", script};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, to_child[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, from_child[1], STDOUT_FILENO);
    int spawned = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(to_child[0]);
    close(from_child[1]);
    if (spawned != 0) throw std::runtime_error("could not start " + script);
    stdin_ = to_child[1];
    stdout_ = from_child[0];
    port_ = read_port();
  }

  ~LoopbackHttpServer() {
    close(stdin_);  // the server exits when its stdin closes
    close(stdout_);
    int status = 0;
    for (int i = 0; i < 50; ++i) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) return;
      usleep(20'000);
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
  }

  LoopbackHttpServer(const LoopbackHttpServer&) = delete;
  LoopbackHttpServer& operator=(const LoopbackHttpServer&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  // The server's request log as JSON text (see http_server.py's /_requests).
  std::string requests_json() const { return plain_get(url("/_requests")); }

 private:
  int read_port() {
    std::string line;
    char c;
    while (line.size() < 16) {
      pollfd wait_for{stdout_, POLLIN, 0};
      if (poll(&wait_for, 1, 10'000) != 1) throw std::runtime_error("http_server.py did not print its port");
      if (read(stdout_, &c, 1) != 1 || c == '\n') break;
      line += c;
    }
    return std::stoi(line);
  }

  static std::size_t append(char* data, std::size_t size, std::size_t count, void* out) {
    static_cast<std::string*>(out)->append(data, size * count);
    return size * count;
  }

  static std::string plain_get(const std::string& url) {
    std::string body;
    CURL* easy = curl_easy_init();
    curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy, CURLOPT_PROXY, "");
    curl_easy_setopt(easy, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &append);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &body);
    CURLcode code = curl_easy_perform(easy);
    curl_easy_cleanup(easy);
    if (code != CURLE_OK) throw std::runtime_error("GET " + url + " failed: " + curl_easy_strerror(code));
    return body;
  }

  pid_t pid_ = -1;
  int stdin_ = -1;
  int stdout_ = -1;
  int port_ = 0;
};

}  // namespace newswatch::testing
