#pragma once

// Internal to the store. The JSON text kept in TEXT columns: string lists (scopes, return URLs),
// string maps (connection fields, event payloads), and the credentials blob that is sealed.
// Decoders return nullopt for text that is not the expected shape.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keyhop/provider.hpp"

namespace keyhop::store {

std::string encodeList(const std::vector<std::string>& items);
std::optional<std::vector<std::string>> decodeList(std::string_view json);

std::string encodeMap(const std::map<std::string, std::string>& items);
std::optional<std::map<std::string, std::string>> decodeMap(std::string_view json);

bool isJsonObject(std::string_view json);

// Everything in Credentials except connection_fields (kept in their own, unsealed column), plus
// the provider's raw token response.
std::string encodeCredentials(const Credentials& credentials, const std::string& raw_response);

struct DecodedCredentials {
  Credentials credentials;
  std::string raw_response;
};
std::optional<DecodedCredentials> decodeCredentials(std::string_view json);

}  // namespace keyhop::store
