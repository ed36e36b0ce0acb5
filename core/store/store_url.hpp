#pragma once

// The `store:` setting: which database the store uses and how Poco connects to it.
//   sqlite:///abs/path.db   sqlite://relative/path.db (relative to the working directory)
//   postgresql://user:password@host:port/dbname?sslmode=require   (postgres:// also accepted)

#include <optional>
#include <string>
#include <string_view>

namespace keyhop::store {

enum class Backend { Sqlite, Postgresql };

struct StoreLocation {
  Backend backend = Backend::Sqlite;
  std::string connector;          // Poco::Data connector key: "sqlite" or "postgresql"
  std::string connection_string;  // a file path, or libpq key=value pairs
  std::string description;        // the URL without its password, for messages and logs
};

struct ParsedStoreUrl {
  std::optional<StoreLocation> location;
  std::string error;  // when location is empty; never repeats a password
  explicit operator bool() const { return location.has_value(); }
};

ParsedStoreUrl parseStoreUrl(std::string_view url);

}  // namespace keyhop::store
