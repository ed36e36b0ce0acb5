#pragma once

// Strict reading of a YAML document: typed reads that report what is wrong at the node's own
// position and keep going, so one pass finds every problem. yaml-cpp itself is lenient (it
// keeps duplicate keys and converts almost anything); these helpers are where that stops.

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/registry/load_error.hpp"

namespace keyhop::registry::yaml {

// The problems found in one document, in the order they were found.
class Problems final {
 public:
  explicit Problems(std::string source) : source_(std::move(source)) {}

  // `at` is yaml-cpp's 0-based mark; a mark without position (line -1) gives line 0.
  void add(const YAML::Mark& at, std::string message);
  void addWithoutPosition(std::string message);

  bool empty() const { return errors_.empty(); }
  LoadErrors take() { return std::move(errors_); }

 private:
  std::string source_;
  LoadErrors errors_;
};

// A scalar's text and where it was written.
struct Scalar {
  std::string text;
  YAML::Mark mark;
};

// One key of a mapping. `path` is the dotted key path used in messages ("api.stamp.header").
struct Entry {
  std::string name;
  YAML::Node key;
  YAML::Node value;
  std::string path;
};

// A mapping whose keys were checked on construction: every key is a string, none repeats and,
// unless `allowed` is empty (names chosen by the author), each is one of `allowed`. Entries keep
// the document's order.
class CheckedMap final {
 public:
  // An entry's value, named by its path in messages ("token_response"); a value that is not a
  // mapping is reported and gives no entries.
  CheckedMap(const Entry& entry, const std::vector<std::string>& allowed, Problems& problems);
  // The document's root mapping, named `what` in messages ("descriptor").
  CheckedMap(const YAML::Node& root, std::string what, const std::vector<std::string>& allowed,
             Problems& problems);

  const Entry* find(std::string_view name) const;
  const std::vector<Entry>& entries() const { return entries_; }
  const YAML::Mark& mark() const { return mark_; }

 private:
  void checkKeys(const YAML::Node& node, const std::string& path,
                 const std::vector<std::string>& allowed, Problems& problems);

  std::string what_;
  YAML::Mark mark_;
  std::vector<Entry> entries_;
};

std::optional<Scalar> readString(const Entry& entry, Problems& problems);
// A string that must not be empty.
std::optional<Scalar> readNonEmptyString(const Entry& entry, Problems& problems);
std::optional<bool> readBool(const Entry& entry, Problems& problems);
std::optional<std::int64_t> readInteger(const Entry& entry, std::int64_t min, std::int64_t max,
                                        Problems& problems);
// A sequence of non-empty strings.
std::optional<std::vector<Scalar>> readStringList(const Entry& entry, Problems& problems);
// A sequence of integers, each within [min, max].
std::optional<std::vector<std::int64_t>> readIntegerList(const Entry& entry, std::int64_t min,
                                                         std::int64_t max, Problems& problems);
// A mapping of author-chosen names to scalars, in document order; numbers and booleans are kept
// as their text.
std::optional<std::vector<std::pair<Scalar, Scalar>>> readStringMap(const Entry& entry,
                                                                    Problems& problems);

// "a, b, c": for "expected one of" messages.
std::string joinNames(const std::vector<std::string>& names);

// Reports an entry's value as not being one of `choices`.
void reportBadChoice(const Entry& entry, const Scalar& got, const std::vector<std::string>& choices,
                     Problems& problems);

// One of a fixed set of words, e.g. `auth: oauth2`.
template <typename T>
std::optional<T> readEnum(const Entry& entry,
                          const std::vector<std::pair<std::string_view, T>>& choices,
                          Problems& problems) {
  auto word = readString(entry, problems);
  if (!word) return std::nullopt;
  std::vector<std::string> names;
  for (const auto& [name, value] : choices) {
    if (word->text == name) return value;
    names.emplace_back(name);
  }
  reportBadChoice(entry, *word, names, problems);
  return std::nullopt;
}

}  // namespace keyhop::registry::yaml
