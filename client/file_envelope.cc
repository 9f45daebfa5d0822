#include "client/file_envelope.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>

#include "client/chunk_pipeline.h"
#include "client/fd_io.h"
#include "client/output_file.h"
#include "crypto/stream_cipher.h"
#include "crypto/wrapped_blob.h"

namespace keyhold::client {
namespace {

using crypto::kStreamTagSize;

Error Damaged(const std::string& what, const std::string& why) {
  return MakeError(ErrorCode::kInvalidCiphertext,
                   what + " is damaged, truncated or was changed (" + why + ")");
}

// Sink takes the output in order: a descriptor of the caller's, or an
// OutputFile.
using Sink = std::function<Status(std::span<const std::uint8_t>)>;

Status Encrypt(DataKeySource& keys, const crypto::KeyId& key,
               const crypto::EncryptionContext& context, int in_fd, const std::string& in_name,
               const Sink& out, const EncryptOptions& options) {
  std::unique_ptr<crypto::StreamSealer> sealer;
  {
    KEYHOLD_ASSIGN_OR_RETURN(DataKey data_key, keys.GenerateDataKey(key, context));
    KEYHOLD_ASSIGN_OR_RETURN(
        sealer, crypto::StreamSealer::Create(data_key.plaintext, key, data_key.wrapped, context,
                                             options.chunk_size));
  }  // the data key is wiped here; the sealer keeps only the file key
  KEYHOLD_TRY(out(sealer->header()));
  const std::size_t c = sealer->chunk_size();
  ChunkPipeline pipeline;
  pipeline.chunk_capacity = c + kStreamTagSize;
  pipeline.workers = options.workers;
  pipeline.produce = [&](Chunk& chunk) -> Status {
    KEYHOLD_ASSIGN_OR_RETURN(chunk.size, ReadFull(in_fd, chunk.bytes.first(c), in_name));
    // A short chunk ends the stream; a full one is followed by another,
    // perhaps empty (crypto/stream_cipher.h).
    chunk.last = chunk.size < c;
    KEYHOLD_ASSIGN_OR_RETURN(crypto::ChunkNonce nonce, sealer->NextChunk(chunk.last));
    chunk.nonce.emplace(std::move(nonce));
    return Status::Ok();
  };
  pipeline.work = [&](Chunk& chunk) -> Status {
    crypto::ChunkNonce nonce = std::move(*chunk.nonce);
    chunk.nonce.reset();
    KEYHOLD_TRY(sealer->Seal(std::move(nonce), chunk.bytes, chunk.size));
    chunk.size += kStreamTagSize;
    return Status::Ok();
  };
  pipeline.consume = [&](const Chunk& chunk) { return out(chunk.bytes.first(chunk.size)); };
  return RunChunkPipeline(pipeline);
}

// ReadHeader reads exactly one header from the start of the stream.
Result<crypto::StreamHeader> ReadHeader(int in_fd, const std::string& in_name,
                                        std::vector<std::uint8_t>* bytes) {
  bytes->resize(crypto::kStreamPrefixSize);
  KEYHOLD_ASSIGN_OR_RETURN(const std::size_t got, ReadFull(in_fd, *bytes, in_name));
  auto size = crypto::StreamHeaderSize(std::span(*bytes).first(got));
  if (!size.ok()) {
    return MakeError(ErrorCode::kInvalidCiphertext,
                     in_name + " is not a file encrypted by keyhold (format 1)");
  }
  bytes->resize(*size);
  const auto rest = std::span(*bytes).subspan(crypto::kStreamPrefixSize);
  KEYHOLD_ASSIGN_OR_RETURN(const std::size_t rest_got, ReadFull(in_fd, rest, in_name));
  auto header =
      crypto::ParseStreamHeader(std::span(*bytes).first(crypto::kStreamPrefixSize + rest_got));
  if (!header.ok()) {
    return Damaged(in_name, "its header does not parse");
  }
  return std::move(header).value();
}

Status CheckExpectations(const crypto::StreamHeader& header, const std::string& in_name,
                         const DecryptOptions& options) {
  if (options.expected_key && *options.expected_key != header.key_id) {
    return MakeError(ErrorCode::kInvalidRequest, in_name + " is sealed under " +
                                                     header.key_id.ToString() + ", not " +
                                                     options.expected_key->ToString());
  }
  for (const auto& expected : options.expected_context) {
    const auto& entries = header.context.entries();
    const auto it = std::ranges::find_if(
        entries, [&](const auto& entry) { return entry.first == expected.first; });
    if (it == entries.end()) {
      return MakeError(ErrorCode::kInvalidContext,
                       in_name + "'s encryption context has no key '" + expected.first + "'");
    }
    if (it->second != expected.second) {
      return MakeError(ErrorCode::kInvalidContext, in_name + "'s encryption context gives '" +
                                                       expected.first + "' another value");
    }
  }
  return Status::Ok();
}

Status Decrypt(DataKeySource& keys, int in_fd, const std::string& in_name, const Sink& out,
               const DecryptOptions& options) {
  std::vector<std::uint8_t> header_bytes;
  KEYHOLD_ASSIGN_OR_RETURN(crypto::StreamHeader header, ReadHeader(in_fd, in_name, &header_bytes));
  KEYHOLD_TRY(CheckExpectations(header, in_name, options));
  // The wrapped key must name the header's key: otherwise the server would
  // be asked to unwrap under one key a blob that names another.
  auto blob = crypto::ParseBlob(header.wrapped_key);
  if (!blob.ok() || blob->header.key_id != header.key_id) {
    return Damaged(in_name, "its wrapped data key does not match its header");
  }
  std::unique_ptr<crypto::StreamOpener> opener;
  {
    KEYHOLD_ASSIGN_OR_RETURN(crypto::SecretBytes data_key,
                             keys.UnwrapDataKey(header.key_id, header.wrapped_key, header.context));
    auto created = crypto::StreamOpener::Create(data_key, header_bytes);
    if (!created.ok()) {
      return Damaged(in_name, "its header does not match its data key");
    }
    opener = std::move(created).value();
  }
  const std::size_t sealed_chunk = std::size_t{opener->chunk_size()} + kStreamTagSize;
  ChunkPipeline pipeline;
  pipeline.chunk_capacity = sealed_chunk;
  pipeline.workers = options.workers;
  pipeline.produce = [&](Chunk& chunk) -> Status {
    KEYHOLD_ASSIGN_OR_RETURN(chunk.size, ReadFull(in_fd, chunk.bytes, in_name));
    if (chunk.size < kStreamTagSize) {
      // Every stream ends with a short chunk of at least a tag: ending on a
      // full chunk, or on a fragment, means the end was cut off.
      return Damaged(in_name, "it ends before its last chunk");
    }
    chunk.last = chunk.size < sealed_chunk;
    return Status::Ok();
  };
  pipeline.work = [&](Chunk& chunk) -> Status {
    auto opened = opener->Open(chunk.index, chunk.last, chunk.bytes.first(chunk.size));
    if (!opened.ok()) {
      return Damaged(in_name, "chunk " + std::to_string(chunk.index) + " fails authentication");
    }
    chunk.size = *opened;
    return Status::Ok();
  };
  pipeline.consume = [&](const Chunk& chunk) { return out(chunk.bytes.first(chunk.size)); };
  return RunChunkPipeline(pipeline);
}

Sink FdSink(int fd) {
  return [fd](std::span<const std::uint8_t> bytes) { return WriteAll(fd, bytes, "the output"); };
}

Sink FileSink(OutputFile& file) {
  return [&file](std::span<const std::uint8_t> bytes) { return file.Append(bytes); };
}

// Input is a file descriptor opened for reading, or stdin for "-".
class Input {
 public:
  static Result<Input> Open(const std::filesystem::path& path) {
    if (path == "-") {
      return Input(STDIN_FILENO, "stdin", false);
    }
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      const int err = errno;
      return MakeError(ErrorCode::kIoError,
                       "cannot open " + path.string() + ": " + std::strerror(err));
    }
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    return Input(fd, path.string(), true);
  }
  Input(Input&& other) noexcept
      : fd_(std::exchange(other.fd_, -1)), name_(std::move(other.name_)), owned_(other.owned_) {}
  Input& operator=(Input&&) = delete;
  ~Input() {
    if (owned_ && fd_ >= 0) {
      ::close(fd_);
    }
  }
  int fd() const { return fd_; }
  const std::string& name() const { return name_; }

 private:
  Input(int fd, std::string name, bool owned) : fd_(fd), name_(std::move(name)), owned_(owned) {}
  int fd_;
  std::string name_;
  bool owned_;
};

}  // namespace

Status EncryptStream(DataKeySource& keys, const crypto::KeyId& key,
                     const crypto::EncryptionContext& context, int in_fd, int out_fd,
                     const EncryptOptions& options) {
  return Encrypt(keys, key, context, in_fd, "the input", FdSink(out_fd), options);
}

Status DecryptStream(DataKeySource& keys, int in_fd, int out_fd, const DecryptOptions& options) {
  return Decrypt(keys, in_fd, "the input", FdSink(out_fd), options);
}

Status EncryptFile(DataKeySource& keys, const crypto::KeyId& key,
                   const crypto::EncryptionContext& context, const std::filesystem::path& in,
                   const std::filesystem::path& out, const EncryptOptions& options) {
  KEYHOLD_ASSIGN_OR_RETURN(Input input, Input::Open(in));
  KEYHOLD_ASSIGN_OR_RETURN(std::unique_ptr<OutputFile> output, OutputFile::Create(out));
  KEYHOLD_TRY(Encrypt(keys, key, context, input.fd(), input.name(), FileSink(*output), options));
  return output->Commit();
}

Status DecryptFile(DataKeySource& keys, const std::filesystem::path& in,
                   const std::filesystem::path& out, const DecryptOptions& options) {
  KEYHOLD_ASSIGN_OR_RETURN(Input input, Input::Open(in));
  KEYHOLD_ASSIGN_OR_RETURN(std::unique_ptr<OutputFile> output, OutputFile::Create(out));
  KEYHOLD_TRY(Decrypt(keys, input.fd(), input.name(), FileSink(*output), options));
  return output->Commit();
}

}  // namespace keyhold::client
