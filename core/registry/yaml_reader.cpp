#include "core/registry/yaml_reader.hpp"

#include <algorithm>
#include <charconv>
#include <limits>

namespace keyhop::registry::yaml {

namespace {

// yaml-cpp tags a plain (unquoted) scalar "?" and a quoted one "!": YAML says a quoted `true` or
// `300` is a string, so typed reads refuse it rather than guess.
bool isPlain(const YAML::Node& node) { return node.Tag() == "?"; }

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Sequence:
      return "a sequence";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Scalar:
      return (isPlain(node) ? "'" : "the quoted string '") + node.Scalar() + "'";
    case YAML::NodeType::Undefined:
      break;
  }
  return "an undefined node";
}

// An empty value (`key:`) has no position of its own: yaml-cpp gives it the next token's, so
// problems with it are reported at the key.
void reportWrongType(const Entry& entry, const std::string& expected, Problems& problems) {
  if (entry.value.IsNull()) {
    problems.add(entry.key.Mark(), "'" + entry.path + "' has no value (expected " + expected + ")");
    return;
  }
  problems.add(entry.value.Mark(),
               "'" + entry.path + "' must be " + expected + " (got " + describe(entry.value) + ")");
}

bool expectMap(const Entry& entry, Problems& problems) {
  if (entry.value.IsMap()) return true;
  reportWrongType(entry, "a mapping", problems);
  return false;
}

std::vector<Entry> elements(const Entry& entry) {
  std::vector<Entry> items;
  std::size_t index = 0;
  for (const auto& element : entry.value) {
    items.push_back(
        Entry{entry.name, entry.key, element, entry.path + "[" + std::to_string(index++) + "]"});
  }
  return items;
}

// "an integer from 100 to 599", or "integers from ..." for a sequence of them.
std::string integerRange(std::int64_t min, std::int64_t max, bool plural = false) {
  const std::string noun = plural ? "integers" : "an integer";
  if (max == std::numeric_limits<std::int64_t>::max()) {
    return noun + " >= " + std::to_string(min);
  }
  return noun + " from " + std::to_string(min) + " to " + std::to_string(max);
}

}  // namespace

void Problems::add(const YAML::Mark& at, std::string message) {
  if (at.line < 0) {
    addWithoutPosition(std::move(message));
    return;
  }
  errors_.push_back(LoadError{source_, at.line + 1, at.column + 1, std::move(message)});
}

void Problems::addWithoutPosition(std::string message) {
  errors_.push_back(LoadError{source_, 0, 0, std::move(message)});
}

CheckedMap::CheckedMap(const Entry& entry, const std::vector<std::string>& allowed,
                       Problems& problems)
    : what_(entry.path), mark_(entry.value.Mark()) {
  if (expectMap(entry, problems)) checkKeys(entry.value, entry.path, allowed, problems);
}

CheckedMap::CheckedMap(const YAML::Node& root, std::string what,
                       const std::vector<std::string>& allowed, Problems& problems)
    : what_(std::move(what)), mark_(root.Mark()) {
  checkKeys(root, "", allowed, problems);
}

void CheckedMap::checkKeys(const YAML::Node& node, const std::string& path,
                           const std::vector<std::string>& allowed, Problems& problems) {
  for (auto it = node.begin(); it != node.end(); ++it) {
    const YAML::Node key = it->first;
    if (!key.IsScalar() || key.Scalar().empty()) {
      problems.add(key.Mark(), "keys in " + what_ + " must be non-empty strings");
      continue;
    }
    const std::string& name = key.Scalar();
    // yaml-cpp keeps every duplicate and its lookups answer with the first: say so instead.
    if (const Entry* first = find(name)) {
      problems.add(key.Mark(), "duplicate key '" + name + "' in " + what_ + " (first at line " +
                                   std::to_string(first->key.Mark().line + 1) + ")");
      continue;
    }
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      problems.add(key.Mark(), "unknown key '" + name + "' in " + what_ +
                                   " (expected one of: " + joinNames(allowed) + ")");
      continue;
    }
    entries_.push_back(Entry{name, key, it->second, path.empty() ? name : path + "." + name});
  }
}

const Entry* CheckedMap::find(std::string_view name) const {
  for (const Entry& entry : entries_) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

std::optional<Scalar> readString(const Entry& entry, Problems& problems) {
  if (!entry.value.IsScalar()) {
    reportWrongType(entry, "a string", problems);
    return std::nullopt;
  }
  return Scalar{entry.value.Scalar(), entry.value.Mark()};
}

std::optional<Scalar> readNonEmptyString(const Entry& entry, Problems& problems) {
  auto value = readString(entry, problems);
  if (value && value->text.empty()) {
    problems.add(value->mark, "'" + entry.path + "' must not be empty");
    return std::nullopt;
  }
  return value;
}

std::optional<bool> readBool(const Entry& entry, Problems& problems) {
  if (entry.value.IsScalar() && isPlain(entry.value)) {
    const std::string& text = entry.value.Scalar();
    if (text == "true" || text == "True" || text == "TRUE") return true;
    if (text == "false" || text == "False" || text == "FALSE") return false;
  }
  reportWrongType(entry, "true or false", problems);
  return std::nullopt;
}

std::optional<std::int64_t> readInteger(const Entry& entry, std::int64_t min, std::int64_t max,
                                        Problems& problems) {
  if (entry.value.IsScalar() && isPlain(entry.value)) {
    const std::string& text = entry.value.Scalar();
    std::int64_t number = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (error == std::errc() && end == text.data() + text.size() && number >= min &&
        number <= max) {
      return number;
    }
  }
  reportWrongType(entry, integerRange(min, max), problems);
  return std::nullopt;
}

std::optional<std::vector<Scalar>> readStringList(const Entry& entry, Problems& problems) {
  if (!entry.value.IsSequence()) {
    reportWrongType(entry, "a sequence of strings", problems);
    return std::nullopt;
  }
  std::vector<Scalar> values;
  for (const Entry& element : elements(entry)) {
    if (auto value = readNonEmptyString(element, problems)) values.push_back(std::move(*value));
  }
  return values;
}

std::optional<std::vector<std::int64_t>> readIntegerList(const Entry& entry, std::int64_t min,
                                                         std::int64_t max, Problems& problems) {
  if (!entry.value.IsSequence()) {
    reportWrongType(entry, "a sequence of " + integerRange(min, max, true), problems);
    return std::nullopt;
  }
  std::vector<std::int64_t> values;
  for (const Entry& element : elements(entry)) {
    if (auto value = readInteger(element, min, max, problems)) values.push_back(*value);
  }
  return values;
}

std::optional<std::vector<std::pair<Scalar, Scalar>>> readStringMap(const Entry& entry,
                                                                    Problems& problems) {
  const CheckedMap map(entry, {}, problems);
  if (!entry.value.IsMap()) return std::nullopt;
  std::vector<std::pair<Scalar, Scalar>> pairs;
  for (const Entry& item : map.entries()) {
    if (auto value = readString(item, problems)) {
      pairs.emplace_back(Scalar{item.name, item.key.Mark()}, std::move(*value));
    }
  }
  return pairs;
}

std::string joinNames(const std::vector<std::string>& names) {
  std::string joined;
  for (const std::string& name : names) {
    if (!joined.empty()) joined += ", ";
    joined += name;
  }
  return joined;
}

void reportBadChoice(const Entry& entry, const Scalar& got, const std::vector<std::string>& choices,
                     Problems& problems) {
  problems.add(got.mark, "'" + entry.path + "' must be one of " + joinNames(choices) + " (got '" +
                             got.text + "')");
}

}  // namespace keyhop::registry::yaml
