// Key rotation: re-sealing every stored secret under the vault's active key, in batches, while
// other threads and processes keep reading and writing.

#include <Poco/Tuple.h>

#include "core/store/sql.hpp"
#include "core/store/sql_store.hpp"
#include "core/vault/sealed_format.hpp"

namespace keyhop::store {

using Poco::Data::Keywords::bind;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;

namespace {

// Every column that holds sealed values, with the row key its associated data names.
struct SecretColumn {
  const char* table;
  const char* column;
  Sql not_sealed_with;    // $1 prefix, $2 limit -> (row key, sealed value)
  Sql reseal;             // $1 new value, $2 row key, $3 the value read
  Sql count_sealed_with;  // $1 prefix
};

// A sealed value names its key right after the format version ("kh1.<key id>.<check>.<data>"),
// and key ids never hold a '.', so a prefix compare finds a key's values without decrypting.
#define KEYHOP_SEALED_WITH(column) "substr(" column ", 1, length($1)) = $1"
#define KEYHOP_NOT_SEALED_WITH(column) "substr(" column ", 1, length($1)) <> $1"

constexpr SecretColumn kSecretColumns[] = {
    {"integrations", "client_secret",
     "SELECT id, client_secret FROM integrations WHERE " KEYHOP_NOT_SEALED_WITH(
         "client_secret") " LIMIT $2",
     "UPDATE integrations SET client_secret = $1 WHERE id = $2 AND client_secret = $3",
     "SELECT COUNT(*) FROM integrations WHERE " KEYHOP_SEALED_WITH("client_secret")},
    {"connections", "credentials",
     "SELECT id, credentials FROM connections WHERE " KEYHOP_NOT_SEALED_WITH(
         "credentials") " LIMIT $2",
     "UPDATE connections SET credentials = $1 WHERE id = $2 AND credentials = $3",
     "SELECT COUNT(*) FROM connections WHERE " KEYHOP_SEALED_WITH("credentials")},
    {"oauth_states", "code_verifier",
     "SELECT state_hash, code_verifier FROM oauth_states WHERE " KEYHOP_NOT_SEALED_WITH(
         "code_verifier") " LIMIT $2",
     "UPDATE oauth_states SET code_verifier = $1 WHERE state_hash = $2 AND code_verifier = $3",
     "SELECT COUNT(*) FROM oauth_states WHERE " KEYHOP_SEALED_WITH("code_verifier")},
};

// A batch whose every row was rewritten by someone else in the meantime is read again, a few
// times, before the column counts as done for this call.
constexpr int kRaceRetries = 3;

std::string sealedPrefix(const std::string& key_id) {
  return std::string(vault::kSealedVersion) + "." + key_id + ".";
}

}  // namespace

std::size_t SqlStore::reencryptBatch(std::size_t limit) {
  const std::string active_prefix = sealedPrefix(vault_.keys()->active().id);
  std::size_t resealed = 0;
  for (const SecretColumn& secret : kSecretColumns) {
    for (int attempt = 0; attempt < kRaceRetries && resealed < limit; ++attempt) {
      std::vector<Poco::Tuple<std::string, std::string>> rows;
      withSession("reading secrets to re-encrypt", [&](Poco::Data::Session& session) {
        session << secret.not_sealed_with.text(), into(rows), bind(active_prefix),
            bind(Poco::Int64(limit - resealed)), now;
      });
      if (rows.empty()) break;
      // Decrypt and re-seal before taking the write lock, which then only covers the UPDATEs.
      std::vector<std::string> fresh;
      for (const auto& row : rows) {
        fresh.push_back(seal(secret.table, secret.column, row.get<0>(),
                             unseal(secret.table, secret.column, row.get<0>(), row.get<1>())));
      }
      const std::size_t written =
          inTransaction("re-encrypting secrets", [&](Poco::Data::Session& session) {
            // One statement re-executed per row: PostgreSQL prepares it once per batch.
            std::string value, key, read;
            Poco::Data::Statement update(session);
            update << secret.reseal.text(), use(value), use(key), use(read);
            std::size_t count = 0;
            for (std::size_t i = 0; i < rows.size(); ++i) {
              value = fresh[i];
              key = rows[i].get<0>();
              read = rows[i].get<1>();
              count += update.execute();
            }
            return count;
          });
      resealed += written;
      if (written > 0) break;
    }
  }
  return resealed;
}

std::size_t SqlStore::countSealedWith(const std::string& key_id) {
  const std::string prefix = sealedPrefix(key_id);
  return withSession("counting sealed secrets", [&](Poco::Data::Session& session) {
    std::size_t total = 0;
    for (const SecretColumn& secret : kSecretColumns) {
      Poco::Int64 count = 0;
      session << secret.count_sealed_with.text(), into(count), bind(prefix), now;
      total += static_cast<std::size_t>(count);
    }
    return total;
  });
}

}  // namespace keyhop::store
