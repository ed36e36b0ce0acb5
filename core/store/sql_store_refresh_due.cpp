// The proactive refresher's listings: connections to renew before anyone needs them. Both page
// by key (keyset pagination), so a listing of any size costs one indexed range scan per page.

#include <Poco/Tuple.h>

#include <limits>
#include <vector>

#include "core/store/sql.hpp"
#include "core/store/sql_store.hpp"

namespace keyhop::store {

using Poco::Data::Keywords::bind;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

namespace {

#define KEYHOP_CANDIDATE_COLUMNS                                                   \
  "SELECT c.id, c.account_id, c.integration_id, c.user_id, i.provider, c.version," \
  " c.token_expires_at, COALESCE(c.last_refresh_at, c.created_at)"                 \
  " FROM connections c JOIN integrations i ON i.id = c.integration_id"
using CandidateRow = Poco::Tuple<std::string, std::string, std::string, std::string, std::string,
                                 Poco::Int64, Poco::Int64, Poco::Int64>;

// Ordered by (token_expires_at, id), resuming after ($2, $3). `>= $2` alone is what bounds the
// index range on both backends; the OR then drops the rows of the previous page.
constexpr Sql kExpiringBefore = KEYHOP_CANDIDATE_COLUMNS
    " WHERE c.token_expires_at < $1 AND c.token_expires_at >= $2"
    " AND (c.token_expires_at > $2 OR c.id > $3) AND c.status = 'active'"
    " ORDER BY c.token_expires_at, c.id LIMIT $4";
constexpr Sql kRefreshedBefore = KEYHOP_CANDIDATE_COLUMNS
    " WHERE i.provider = $1 AND c.status = 'active' AND c.token_expires_at IS NOT NULL"
    " AND COALESCE(c.last_refresh_at, c.created_at) < $2 AND c.id > $3"
    " ORDER BY c.id LIMIT $4";
#undef KEYHOP_CANDIDATE_COLUMNS

std::vector<RefreshCandidate> toCandidates(const std::vector<CandidateRow>& rows) {
  std::vector<RefreshCandidate> candidates;
  candidates.reserve(rows.size());
  for (const auto& row : rows) {
    candidates.push_back({row.get<0>(),
                          {row.get<1>(), row.get<2>(), row.get<3>()},
                          row.get<4>(),
                          row.get<5>(),
                          row.get<6>(),
                          row.get<7>()});
  }
  return candidates;
}

}  // namespace

std::vector<RefreshCandidate> SqlStore::connectionsExpiringBefore(std::int64_t before,
                                                                  const RefreshCandidate* after,
                                                                  std::size_t limit) {
  const Poco::Int64 after_expiry =
      after ? after->token_expires_at : std::numeric_limits<Poco::Int64>::min();
  const std::string after_id = after ? after->id : "";
  std::vector<CandidateRow> rows;
  withSession("listing connections to refresh", [&](Poco::Data::Session& session) {
    session << kExpiringBefore.text(), into(rows), bind(Poco::Int64(before)), bind(after_expiry),
        bind(after_id), bind(Poco::Int64(limit)), now;
  });
  return toCandidates(rows);
}

std::vector<RefreshCandidate> SqlStore::connectionsRefreshedBefore(const std::string& provider,
                                                                   std::int64_t before,
                                                                   const std::string& after_id,
                                                                   std::size_t limit) {
  std::vector<CandidateRow> rows;
  withSession("listing connections to keep alive", [&](Poco::Data::Session& session) {
    session << kRefreshedBefore.text(), into(rows), bind(provider), bind(Poco::Int64(before)),
        bind(after_id), bind(Poco::Int64(limit)), now;
  });
  return toCandidates(rows);
}

}  // namespace keyhop::store
