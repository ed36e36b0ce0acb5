// Accounts and their integrations.

#include <Poco/Tuple.h>

#include <stdexcept>

#include "core/store/identifiers.hpp"
#include "core/store/json_columns.hpp"
#include "core/store/sql.hpp"
#include "core/store/sql_store.hpp"
#include "core/store/unix_time.hpp"

namespace keyhop::store {

using Poco::Data::Keywords::bind;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

namespace {

#define KEYHOP_ACCOUNT_COLUMNS "id, name, public_key, created_at, updated_at"
using AccountRow = Poco::Tuple<std::string, std::string, std::string, Poco::Int64, Poco::Int64>;

constexpr Sql kInsertAccount =
    "INSERT INTO accounts (id, name, secret_key_hash, public_key, created_at, updated_at)"
    " VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (name) DO NOTHING RETURNING id";
constexpr Sql kAccountBySecretHash =
    "SELECT " KEYHOP_ACCOUNT_COLUMNS ", secret_key_hash FROM accounts WHERE secret_key_hash = $1";
constexpr Sql kAccountById = "SELECT " KEYHOP_ACCOUNT_COLUMNS " FROM accounts WHERE id = $1";
constexpr Sql kAccountByName = "SELECT " KEYHOP_ACCOUNT_COLUMNS " FROM accounts WHERE name = $1";
constexpr Sql kAllAccounts = "SELECT " KEYHOP_ACCOUNT_COLUMNS " FROM accounts ORDER BY name";
constexpr Sql kAccountExists = "SELECT COUNT(*) FROM accounts WHERE id = $1";

#define KEYHOP_INTEGRATION_COLUMNS                                                     \
  "id, account_id, name, provider, client_id, scopes, allowed_return_urls, settings, " \
  "created_at, updated_at, client_secret"
using IntegrationRow =
    Poco::Tuple<std::string, std::string, std::string, std::string, std::string, std::string,
                std::string, std::string, Poco::Int64, Poco::Int64, std::string>;

constexpr Sql kInsertIntegration =
    "INSERT INTO integrations (id, account_id, name, provider, client_id, client_secret, scopes,"
    " allowed_return_urls, settings, created_at, updated_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)"
    " ON CONFLICT (account_id, name) DO NOTHING RETURNING id";
constexpr Sql kIntegrationByName =
    "SELECT " KEYHOP_INTEGRATION_COLUMNS " FROM integrations WHERE account_id = $1 AND name = $2";
constexpr Sql kIntegrationById =
    "SELECT " KEYHOP_INTEGRATION_COLUMNS " FROM integrations WHERE account_id = $1 AND id = $2";
constexpr Sql kIntegrationsOfAccount =
    "SELECT " KEYHOP_INTEGRATION_COLUMNS " FROM integrations WHERE account_id = $1 ORDER BY name";

Account toAccount(const AccountRow& row) {
  return Account{row.get<0>(), row.get<1>(), row.get<2>(), row.get<3>(), row.get<4>()};
}

std::optional<Account> firstAccount(const std::vector<AccountRow>& rows) {
  if (rows.empty()) return std::nullopt;
  return toAccount(rows.front());
}

// The row without its secret. Stored JSON that does not parse is a broken database.
IntegrationInfo toIntegrationInfo(const IntegrationRow& row) {
  IntegrationInfo info;
  info.id = row.get<0>();
  info.account_id = row.get<1>();
  info.name = row.get<2>();
  info.provider = row.get<3>();
  info.client_id = row.get<4>();
  auto scopes = decodeList(row.get<5>());
  auto return_urls = decodeList(row.get<6>());
  if (!scopes || !return_urls || !isJsonObject(row.get<7>())) {
    throw StoreError("integration " + info.id + " has malformed JSON in the database");
  }
  info.scopes = std::move(*scopes);
  info.allowed_return_urls = std::move(*return_urls);
  info.settings = row.get<7>();
  info.created_at = row.get<8>();
  info.updated_at = row.get<9>();
  return info;
}

}  // namespace

WriteResult<CreatedAccount> SqlStore::createAccount(const std::string& name) {
  CreatedAccount created;
  created.secret_key = newSecretToken("sk");
  created.account = Account{newRowId("acc"), name, newSecretToken("pk"), unixNow(), 0};
  created.account.updated_at = created.account.created_at;
  const Account& account = created.account;
  std::vector<std::string> inserted;
  withSession("creating an account", [&](Poco::Data::Session& session) {
    session << kInsertAccount.text(), into(inserted), bind(account.id), bind(account.name),
        bind(sha256Hex(created.secret_key)), bind(account.public_key),
        bind(Poco::Int64(account.created_at)), now;
  });
  if (inserted.empty()) return {std::nullopt, WriteFailure::NameTaken};
  return {std::move(created), {}};
}

std::optional<Account> SqlStore::findAccountBySecretKey(std::string_view secret_key) {
  const std::string hash = sha256Hex(secret_key);
  using Row =
      Poco::Tuple<std::string, std::string, std::string, Poco::Int64, Poco::Int64, std::string>;
  std::vector<Row> rows;
  withSession("looking up an account key", [&](Poco::Data::Session& session) {
    session << kAccountBySecretHash.text(), into(rows), bind(hash), now;
  });
  if (rows.empty() || !sameHash(rows.front().get<5>(), hash)) return std::nullopt;
  const Row& row = rows.front();
  return Account{row.get<0>(), row.get<1>(), row.get<2>(), row.get<3>(), row.get<4>()};
}

std::optional<Account> SqlStore::findAccountById(const std::string& id) {
  std::vector<AccountRow> rows;
  withSession("looking up an account", [&](Poco::Data::Session& session) {
    session << kAccountById.text(), into(rows), bind(id), now;
  });
  return firstAccount(rows);
}

std::optional<Account> SqlStore::findAccountByName(const std::string& name) {
  std::vector<AccountRow> rows;
  withSession("looking up an account", [&](Poco::Data::Session& session) {
    session << kAccountByName.text(), into(rows), bind(name), now;
  });
  return firstAccount(rows);
}

std::vector<Account> SqlStore::listAccounts() {
  std::vector<AccountRow> rows;
  withSession("listing accounts", [&](Poco::Data::Session& session) {
    session << kAllAccounts.text(), into(rows), now;
  });
  std::vector<Account> accounts;
  for (const auto& row : rows) accounts.push_back(toAccount(row));
  return accounts;
}

WriteResult<Integration> SqlStore::createIntegration(const NewIntegration& integration) {
  if (!isJsonObject(integration.settings)) {
    throw std::invalid_argument("an integration's settings must be a JSON object");
  }
  Integration created;
  IntegrationInfo& info = created.info;
  info.id = newRowId("int");
  info.account_id = integration.account_id;
  info.name = integration.name.empty() ? integration.provider : integration.name;
  info.provider = integration.provider;
  info.client_id = integration.client_id;
  info.scopes = integration.scopes;
  info.allowed_return_urls = integration.allowed_return_urls;
  info.settings = integration.settings;
  info.created_at = info.updated_at = unixNow();
  created.client_secret = integration.client_secret;
  const std::string sealed =
      seal("integrations", "client_secret", info.id, integration.client_secret);

  const auto failure = withSession(
      "creating an integration", [&](Poco::Data::Session& session) -> std::optional<WriteFailure> {
        Poco::Int64 accounts = 0;
        session << kAccountExists.text(), into(accounts), bind(info.account_id), now;
        if (accounts == 0) return WriteFailure::NotFound;
        std::vector<std::string> inserted;
        session << kInsertIntegration.text(), into(inserted), bind(info.id), bind(info.account_id),
            bind(info.name), bind(info.provider), bind(info.client_id), bind(sealed),
            bind(encodeList(info.scopes)), bind(encodeList(info.allowed_return_urls)),
            bind(info.settings), bind(Poco::Int64(info.created_at)), now;
        if (inserted.empty()) return WriteFailure::NameTaken;
        return std::nullopt;
      });
  if (failure) return {std::nullopt, *failure};
  return {std::move(created), {}};
}

std::optional<Integration> SqlStore::findIntegrationByName(const std::string& account_id,
                                                           const std::string& name) {
  return findIntegrationWhere(kIntegrationByName, account_id, name);
}

std::optional<Integration> SqlStore::findIntegrationById(const std::string& account_id,
                                                         const std::string& id) {
  return findIntegrationWhere(kIntegrationById, account_id, id);
}

std::optional<Integration> SqlStore::findIntegrationWhere(const Sql& query,
                                                          const std::string& account_id,
                                                          const std::string& key) {
  std::vector<IntegrationRow> rows;
  withSession("looking up an integration", [&](Poco::Data::Session& session) {
    session << query.text(), into(rows), bind(account_id), bind(key), now;
  });
  if (rows.empty()) return std::nullopt;
  IntegrationInfo info = toIntegrationInfo(rows.front());
  std::string secret = unseal("integrations", "client_secret", info.id, rows.front().get<10>());
  return Integration{std::move(info), std::move(secret)};
}

std::vector<IntegrationInfo> SqlStore::listIntegrations(const std::string& account_id) {
  std::vector<IntegrationRow> rows;
  withSession("listing integrations", [&](Poco::Data::Session& session) {
    session << kIntegrationsOfAccount.text(), into(rows), bind(account_id), now;
  });
  std::vector<IntegrationInfo> integrations;
  for (const auto& row : rows) integrations.push_back(toIntegrationInfo(row));
  return integrations;
}

}  // namespace keyhop::store
