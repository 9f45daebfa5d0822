// The HTTP message types of the server and the CLI. Bodies, header fields
// and read buffers all use the secure allocator: a bearer token in a header
// and a base64 data key in a body live in guarded memory, zeroed when the
// message goes away. Header-only.
#ifndef KEYHOLD_KMS_SERVER_HTTP_TYPES_H_
#define KEYHOLD_KMS_SERVER_HTTP_TYPES_H_

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "crypto/secure_allocator.h"

namespace keyhold::kms {

namespace beast = boost::beast;
namespace http = boost::beast::http;

using SecureBody =
    http::basic_string_body<char, std::char_traits<char>, crypto::SecureAllocator<char>>;
using SecureFields = http::basic_fields<crypto::SecureAllocator<char>>;
using SecureBuffer = beast::basic_flat_buffer<crypto::SecureAllocator<char>>;
using HttpRequest = http::request<SecureBody, SecureFields>;
using HttpResponse = http::response<SecureBody, SecureFields>;
using RequestParser = http::request_parser<SecureBody, crypto::SecureAllocator<char>>;
using ResponseParser = http::response_parser<SecureBody, crypto::SecureAllocator<char>>;

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_SERVER_HTTP_TYPES_H_
