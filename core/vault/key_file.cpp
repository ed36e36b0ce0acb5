// KeyRing's key file: reading it (refusing one others may read), creating it, replacing it.

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <vector>

#include "core/vault/base64.hpp"
#include "core/vault/key_ring.hpp"
#include "core/vault/key_ring_builder.hpp"
#include "core/vault/secure_random.hpp"

namespace keyhop::vault {
namespace {

// Key material passes through these strings: wipe them however the scope ends.
struct WipedText {
  std::string text;
  ~WipedText() { OPENSSL_cleanse(text.data(), text.size()); }
};

KeyRingError systemError(const std::filesystem::path& file, const std::string& doing) {
  return KeyRingError("cannot " + doing + " " + file.string() + ": " + std::strerror(errno));
}

class FileDescriptor final {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  // Closes now, so a failing close (a delayed write error) is seen.
  bool close() {
    const int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0;
  }

 private:
  int fd_;
};

std::string fileText(const std::vector<MasterKey>& keys) {
  std::string text =
      "# keyhop master keys: one \"ID BASE64\" line per key; the first seals new values, all\n"
      "# open values sealed with them. Keep this file secret (mode 0600) and backed up: without\n"
      "# it the stored secrets cannot be read.\n";
  // Room for every line up front: growing would leave copies of keys in freed memory.
  text.reserve(text.size() + keys.size() * 96);
  for (const auto& key : keys) {
    WipedText base64{encodeBase64(
        std::string_view(reinterpret_cast<const char*>(key.bytes.data()), key.bytes.size()))};
    text += key.id;
    text += ' ';
    text += base64.text;
    text += '\n';
  }
  return text;
}

// Writes `text` to `fd` and syncs it to disk, so a rename after it never exposes a short file.
void writeAndSync(int fd, std::string_view text, const std::filesystem::path& file) {
  while (!text.empty()) {
    const auto written = ::write(fd, text.data(), text.size());
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) throw systemError(file, "write");
    text.remove_prefix(static_cast<std::size_t>(written));
  }
  if (::fsync(fd) != 0) throw systemError(file, "sync");
}

// Makes a rename or a creation in `file`'s directory durable.
void syncDirectory(const std::filesystem::path& file) {
  const auto dir = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
  FileDescriptor fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) throw systemError(dir, "sync directory");
}

std::string modeText(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

// The whitespace-separated fields of `line`, as views into it (no copy of key material).
std::vector<std::string_view> fieldsOf(std::string_view line) {
  std::vector<std::string_view> fields;
  const auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && space(line[i])) ++i;
    const auto start = i;
    while (i < line.size() && !space(line[i])) ++i;
    if (i > start) fields.push_back(line.substr(start, i - start));
  }
  return fields;
}

void parseFile(std::string_view text, const std::string& name, KeyRingBuilder& builder) {
  std::size_t line_number = 0;
  while (!text.empty()) {
    const auto end = text.find('\n');
    const auto fields = fieldsOf(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    const std::string where = name + ":" + std::to_string(++line_number);
    if (fields.empty() || fields[0][0] == '#') continue;
    if (fields.size() != 2) {
      builder.problem(where, "expected \"ID BASE64\"");
      continue;
    }
    builder.add(fields[0], fields[1], where);
  }
}

}  // namespace

KeyRing KeyRing::load(const std::filesystem::path& file) {
  FileDescriptor fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw systemError(file, "read master key file");
  struct stat status {};
  if (::fstat(fd.get(), &status) != 0) throw systemError(file, "read master key file");
  if (!S_ISREG(status.st_mode)) {
    throw KeyRingError(file.string() + ": the master key file is not a regular file");
  }
  // Checked on the open file, so it cannot be swapped between the check and the read.
  if ((status.st_mode & 077) != 0) {
    throw KeyRingError(file.string() + ": mode " + modeText(status.st_mode) +
                       " lets group or others read the master keys; it must be 0600 or "
                       "stricter (chmod 600 " +
                       file.string() + ")");
  }
  WipedText text;
  text.text.reserve(static_cast<std::size_t>(status.st_size));  // see fileText
  char buffer[4096];
  while (true) {
    const auto got = ::read(fd.get(), buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      OPENSSL_cleanse(buffer, sizeof buffer);
      throw systemError(file, "read master key file");
    }
    if (got == 0) break;
    text.text.append(buffer, static_cast<std::size_t>(got));
  }
  OPENSSL_cleanse(buffer, sizeof buffer);
  KeyRingBuilder builder(file.string());
  parseFile(text.text, file.string(), builder);
  return builder.build();
}

KeyRing KeyRing::createFile(const std::filesystem::path& file) {
  KeyRing ring({MasterKey{"k1", {}}});
  fillRandom(ring.keys_.front().bytes.data(), ring.keys_.front().bytes.size());
  FileDescriptor fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (fd.get() < 0 && errno == EEXIST) {
    throw KeyRingError(file.string() +
                       ": a master key file is already there; keyhop never "
                       "overwrites one (the stored secrets need its keys)");
  }
  if (fd.get() < 0) throw systemError(file, "create master key file");
  try {
    const WipedText text{fileText(ring.keys_)};
    writeAndSync(fd.get(), text.text, file);
    if (!fd.close()) throw systemError(file, "write");
    syncDirectory(file);
  } catch (...) {
    ::unlink(file.c_str());  // a half-written key file would be refused at every start
    throw;
  }
  return ring;
}

void KeyRing::save(const std::filesystem::path& file) const {
  std::string temp = file.string() + ".tmp-XXXXXX";
  FileDescriptor fd(::mkostemp(temp.data(), O_CLOEXEC));  // mode 0600
  if (fd.get() < 0) throw systemError(file, "create a temporary file beside");
  try {
    const WipedText text{fileText(keys_)};
    writeAndSync(fd.get(), text.text, temp);
    if (!fd.close()) throw systemError(temp, "write");
    if (::rename(temp.c_str(), file.c_str()) != 0) throw systemError(file, "replace");
  } catch (...) {
    ::unlink(temp.c_str());
    throw;
  }
  syncDirectory(file);
}

}  // namespace keyhop::vault
