#pragma once
// RFC 3986 reference resolution, written here rather than using libxml2's xmlBuildURI: xmlBuildURI
// escapes and rewrites characters it considers invalid (it is a URI builder for libxml2's own needs,
// not a faithful section 5.2 implementation), and its behaviour changed between 2.9 and 2.12.
#include <string>
#include <string_view>

namespace newswatch::detail {

// True when `reference` starts with a scheme ("http:", "urn:", "mailto:" ...).
bool has_scheme(std::string_view reference);

// RFC 3986 section 5.2.2 (strict: a scheme in the reference always wins), with section 5.2.4's
// dot-segment removal, and section 6.2.2.1's case normalisation (lower-case scheme and host); nothing
// else is rewritten (no "/" for an empty path), so links stay as publishers wrote them. Surrounding
// white space in the reference is ignored. A relative reference against a base without a scheme is returned
// unchanged, since nothing absolute can be made of it.
std::string resolve_url(std::string_view base, std::string_view reference);

}  // namespace newswatch::detail
