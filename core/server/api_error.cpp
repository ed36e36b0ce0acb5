#include "core/server/api_error.hpp"

namespace keyhop::server {

Response keyhopError(int status, std::string_view code, std::string_view message,
                     const std::map<std::string, std::string>& fields) {
  std::string body =
      "{\"error\":{\"code\":" + jsonString(code) + ",\"message\":" + jsonString(message);
  if (!fields.empty()) {
    body += ",\"fields\":{";
    bool first = true;
    for (const auto& [field, problem] : fields) {
      body += (first ? "" : ",") + jsonString(field) + ":" + jsonString(problem);
      first = false;
    }
    body += "}";
  }
  body += "}}";
  Response response = Response::json(status, std::move(body));
  response.headers.push_back({"Keyhop-Error", std::string(code)});
  return response;
}

}  // namespace keyhop::server
