// Defaults for sanitized builds (NEWSWATCH_SANITIZE, NEWSWATCH_FUZZ); empty otherwise.
//
// `run` loads its service module with dlopen, so the module's and its libraries' thread-local storage
// is dynamic TLS, which glibc allocates in __tls_get_addr. The sanitizer runtimes up to GCC 13 and
// LLVM 16 intercept that call and take any block that happens to start at a certain offset in its
// page for one with a pre-2.25 glibc header, recording a garbage range; LeakSanitizer then crashes
// scanning it at exit ("Tracer caught signal 11", google/sanitizers#1322). It bit the Kafka outage
// tests once the service moved into the module. Without the interception LeakSanitizer does not scan
// dynamic TLS, which could only make it report more, never less: an object referenced from nowhere
// else. ASAN_OPTIONS set by the user still override this.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NEWSWATCH_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define NEWSWATCH_ASAN 1
#endif

#ifdef NEWSWATCH_ASAN
extern "C" const char* __asan_default_options() { return "intercept_tls_get_addr=0"; }
#endif
