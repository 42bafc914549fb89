#include "common/sha256.hpp"

#include <openssl/sha.h>

#include <array>

namespace newswatch {

// OpenSSL 3's EVP interface costs thousands of instructions a digest beyond the hashing itself: a
// provider lookup unless the algorithm is fetched ahead, and a context allocated and freed at every
// initialisation even when it is reused (fixed upstream in openssl/openssl#18105, not in Debian 12's
// 3.0). Article ids are short, so that overhead was a large part of sha256_hex (3 % of parsing the
// fixture corpus, callgrind on bench_parse). The low-level calls run the same accelerated code
// (SHA-NI where the CPU has it) without it; the one-shot SHA256() does not help, as OpenSSL 3 routes
// it through EVP_Q_digest. They are deprecated in favour of EVP but present in every 3.x build that
// keeps the deprecated interfaces, as Debian's does; without them, go back to EVP with one context
// reused per thread.
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif
Sha256Digest sha256(std::string_view bytes) {
  static_assert(SHA256_DIGEST_LENGTH == std::tuple_size_v<Sha256Digest>);
  Sha256Digest digest{};
  SHA256_CTX context;
  SHA256_Init(&context);
  SHA256_Update(&context, bytes.data(), bytes.size());
  SHA256_Final(digest.data(), &context);
  return digest;
}

std::string sha256_hex(std::string_view bytes) {
  const Sha256Digest digest = sha256(bytes);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(2 * digest.size(), '\0');
  for (std::size_t i = 0; i < digest.size(); ++i) {
    out[2 * i] = hex[digest[i] >> 4];
    out[2 * i + 1] = hex[digest[i] & 0xF];
  }
  return out;
}
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

}  // namespace newswatch
