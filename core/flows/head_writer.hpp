#pragma once

// Writes an HTTP head (a request's or a response's) straight into a string: room is made once
// for what the caller expects, each piece is copied in, and finish() cuts the string to what
// was written. A head is a few dozen pieces, and an append each (a capacity check and a call)
// cost more than the copying; this runs twice per proxied request. Room is a hint, never a
// limit: a piece that does not fit grows the string.

#include <charconv>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace keyhop::flows {

class HeadWriter {
 public:
  static constexpr std::size_t kLongestNumber = 20;  // a 64-bit integer in decimal, sign included

  // Room for the line "name: value\r\n".
  static std::size_t lineRoom(std::string_view name, std::string_view value) {
    return name.size() + value.size() + 4;
  }

  // Appends to `out`, which must not be touched otherwise until finish().
  HeadWriter(std::string& out, std::size_t room) : out_(out) {
    const std::size_t start = out_.size();
    out_.resize(start + room);
    at_ = out_.data() + start;
    end_ = out_.data() + out_.size();
  }
  HeadWriter(const HeadWriter&) = delete;
  HeadWriter& operator=(const HeadWriter&) = delete;

  void put(std::string_view text) {
    makeRoom(text.size());
    std::memcpy(at_, text.data(), text.size());
    at_ += text.size();
  }

  template <typename Integer>
  void putNumber(Integer number) {
    makeRoom(kLongestNumber);
    at_ = std::to_chars(at_, at_ + kLongestNumber, number).ptr;
  }

  void putLine(std::string_view name, std::string_view value) {
    put(name);
    put(": ");
    put(value);
    put("\r\n");
  }

  void finish() { out_.resize(static_cast<std::size_t>(at_ - out_.data())); }

 private:
  void makeRoom(std::size_t size) {
    if (static_cast<std::size_t>(end_ - at_) >= size) return;
    const std::size_t written = static_cast<std::size_t>(at_ - out_.data());
    out_.resize(written + size + out_.size() / 2);
    at_ = out_.data() + written;
    end_ = out_.data() + out_.size();
  }

  std::string& out_;
  char* at_;   // where the next piece goes
  char* end_;  // the end of the room made
};

}  // namespace keyhop::flows
