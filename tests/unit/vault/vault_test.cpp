#include "core/vault/vault.hpp"

#include <catch2/catch.hpp>
#include <atomic>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/vault/base64.hpp"

using keyhop::vault::decodeBase64Url;
using keyhop::vault::encodeBase64;
using keyhop::vault::encodeBase64Url;
using keyhop::vault::KeyRing;
using keyhop::vault::OpenError;
using keyhop::vault::Vault;

namespace {

const std::string kContext = "connections/credentials/42";

std::string keyText(char fill) { return encodeBase64(std::string(32, fill)); }

Vault vaultWith(const std::string& env_form) { return Vault(KeyRing::parse(env_form, "test")); }

// "kh1.<id>.<check>." and the decoded payload of a sealed value.
std::pair<std::string, std::string> splitPayload(const std::string& sealed) {
  const auto cut = sealed.rfind('.') + 1;
  const auto payload = decodeBase64Url(sealed.substr(cut));
  REQUIRE(payload);
  return {sealed.substr(0, cut), *payload};
}

std::string randomBytes(std::size_t size) {
  std::mt19937 generator(7);
  std::string bytes(size, '\0');
  for (auto& byte : bytes) byte = static_cast<char>(generator());
  return bytes;
}

}  // namespace

TEST_CASE("seal then open gives back the plaintext", "[vault]") {
  const auto vault = vaultWith("k1:" + keyText('1'));
  const std::string nuls("a\0b\0\0\xff", 6);
  for (const auto& plaintext : {std::string(), std::string("x"), nuls, randomBytes(1 << 20)}) {
    const auto sealed = vault.seal(plaintext, kContext);
    const auto opened = vault.open(sealed, kContext);
    REQUIRE(opened);
    CHECK(*opened.plaintext == plaintext);
    CHECK(opened.message.empty());
  }
}

TEST_CASE("a sealed value is kh1.<id>.<check>.<base64url> and names its key", "[vault]") {
  const auto vault = vaultWith("k1:" + keyText('1'));
  const auto sealed = vault.seal("token", kContext);
  CHECK_THAT(sealed, Catch::Matches("kh1\\.k1\\.[0-9a-f]{8}\\.[A-Za-z0-9_-]+"));
  CHECK(splitPayload(sealed).second.size() == 12 + 5 + 16);
  CHECK(Vault::keyIdOf(sealed) == std::string("k1"));
  CHECK_FALSE(Vault::keyIdOf("token"));
  CHECK_FALSE(Vault::keyIdOf("kh1.bad id.00000000.AAAA"));
}

TEST_CASE("two seals of one plaintext differ (fresh nonce)", "[vault]") {
  const auto vault = vaultWith("k1:" + keyText('1'));
  const auto first = vault.seal("same", kContext);
  const auto second = vault.seal("same", kContext);
  CHECK(first != second);
  CHECK(splitPayload(first).second.substr(0, 12) != splitPayload(second).second.substr(0, 12));
  CHECK(vault.open(first, kContext).plaintext == std::string("same"));
  CHECK(vault.open(second, kContext).plaintext == std::string("same"));
}

TEST_CASE("a byte changed anywhere in the payload is Tampered", "[vault]") {
  const auto vault = vaultWith("k1:" + keyText('1'));
  const auto [head, payload] = splitPayload(vault.seal("refresh-token-value", kContext));
  for (std::size_t i = 0; i < payload.size(); ++i) {
    auto changed = payload;
    changed[i] = static_cast<char>(changed[i] ^ 0x01);
    const auto opened = vault.open(head + encodeBase64Url(changed), kContext);
    CHECK_FALSE(opened);
    CHECK_FALSE(opened.plaintext);
    CHECK(opened.error == OpenError::Tampered);
  }
}

TEST_CASE("a value moved to another row or column is Tampered", "[vault]") {
  const auto vault = vaultWith("k1:" + keyText('1'));
  const auto row1 = vault.seal("secret of row 1", "connections/credentials/1");
  const auto row2 = vault.seal("secret of row 2", "connections/credentials/2");
  // Swapped between rows: neither opens.
  CHECK(vault.open(row2, "connections/credentials/1").error == OpenError::Tampered);
  CHECK(vault.open(row1, "connections/credentials/2").error == OpenError::Tampered);
  const auto moved = vault.open(row1, "integrations/client_secret/1");
  CHECK_FALSE(moved);
  CHECK(moved.error == OpenError::Tampered);
  CHECK_THAT(moved.message, Catch::Contains("copied from another row or column"));
  CHECK(vault.open(row1, "connections/credentials/1"));
}

TEST_CASE("a key id missing from the ring is UnknownKey, naming the id", "[vault]") {
  const auto sealed = vaultWith("old:" + keyText('o')).seal("x", kContext);
  const auto opened = vaultWith("k1:" + keyText('1')).open(sealed, kContext);
  CHECK_FALSE(opened);
  CHECK(opened.error == OpenError::UnknownKey);
  CHECK_THAT(opened.message, Catch::Contains("master key 'old'") &&
                                 Catch::Contains("add that key to the key ring"));
}

TEST_CASE("the same id with another key is WrongKey, not Tampered", "[vault]") {
  const auto sealed = vaultWith("k1:" + keyText('1')).seal("x", kContext);
  const auto opened = vaultWith("k1:" + keyText('2')).open(sealed, kContext);
  CHECK_FALSE(opened);
  CHECK(opened.error == OpenError::WrongKey);
  CHECK_THAT(opened.message, Catch::Contains("'k1' is not the key this value was sealed with"));
}

TEST_CASE("a short payload or bad base64 is Truncated", "[vault]") {
  const auto vault = vaultWith("k1:" + keyText('1'));
  const auto [head, payload] = splitPayload(vault.seal("", kContext));
  REQUIRE(payload.size() == 28);
  for (const auto& sealed :
       {head, head + encodeBase64Url(payload.substr(0, 27)), head + encodeBase64Url(payload) + "=",
        head + "AAAA*AAA", head + encodeBase64Url(payload) + ".x"}) {
    const auto opened = vault.open(sealed, kContext);
    CHECK_FALSE(opened);
    CHECK(opened.error == OpenError::Truncated);
    CHECK_THAT(opened.message, Catch::Contains("cut short"));
  }
}

TEST_CASE("anything not of the kh1 shape is Malformed", "[vault]") {
  const auto vault = vaultWith("k1:" + keyText('1'));
  const auto sealed = vault.seal("x", kContext);
  const auto rest = sealed.substr(4);  // after "kh1."
  for (const auto& text :
       {std::string(), std::string("plain text"), std::string("kh1."), std::string("kh1.k1"),
        "KH1." + rest, "kh1.bad id." + rest.substr(3), std::string("kh1..00000000.AAAA"),
        std::string("kh1.k1.0000000.") + rest.substr(12),
        std::string("kh1.k1.ABCDEF01.") + rest.substr(12)}) {
    const auto opened = vault.open(text, kContext);
    CHECK_FALSE(opened);
    CHECK(opened.error == OpenError::Malformed);
    CHECK_THAT(opened.message, Catch::Contains("not a sealed value"));
  }
  const auto later = vault.open("kh2." + rest, kContext);
  CHECK(later.error == OpenError::Malformed);
  CHECK_THAT(later.message, Catch::Contains("sealed in format kh2, which this keyhop cannot read"));
}

TEST_CASE("after a new active key, old values open and new ones use the new key", "[vault]") {
  const auto ring = KeyRing::parse("k1:" + keyText('1'), "test");
  const Vault before(ring);
  const auto old_value = before.seal("old secret", kContext);
  const Vault after(ring.withNewActiveKey());
  CHECK(after.open(old_value, kContext).plaintext == std::string("old secret"));
  const auto new_value = after.seal("new secret", kContext);
  CHECK(Vault::keyIdOf(new_value) == std::string("k2"));
  CHECK(after.open(new_value, kContext).plaintext == std::string("new secret"));
  CHECK(before.open(new_value, kContext).error == OpenError::UnknownKey);
}

TEST_CASE("no open error message holds plaintext, key or ciphertext", "[vault]") {
  const std::string plaintext = "xoxb-very-secret-token";
  const auto key = keyText('K');
  const auto vault = vaultWith("k1:" + key);
  const auto sealed = vault.seal(plaintext, kContext);
  const auto [head, payload] = splitPayload(sealed);
  const auto encoded = sealed.substr(head.size());
  auto flipped = payload;
  flipped[20] = static_cast<char>(flipped[20] ^ 0x01);
  // The ring, and the value to open with it.
  const std::vector<std::pair<std::string, std::string>> cases{
      {"k1:" + key, "zz" + sealed},
      {"k1:" + key, head + encoded.substr(0, 20)},
      {"k2:" + key, sealed},
      {"k1:" + keyText('L'), sealed},
      {"k1:" + key, head + encodeBase64Url(flipped)},
  };
  std::vector<OpenError> errors;
  for (const auto& [ring, text] : cases) {
    const auto opened = vaultWith(ring).open(text, kContext);
    REQUIRE_FALSE(opened);
    errors.push_back(opened.error);
    CHECK_FALSE(opened.message.empty());
    CHECK_THAT(opened.message, !Catch::Contains(plaintext) && !Catch::Contains(key) &&
                                   !Catch::Contains(encoded.substr(0, 8)));
  }
  CHECK(errors == std::vector<OpenError>{OpenError::Malformed, OpenError::Truncated,
                                         OpenError::UnknownKey, OpenError::WrongKey,
                                         OpenError::Tampered});
}

TEST_CASE("one vault seals and opens from many threads at once", "[vault]") {
  const auto vault = vaultWith("k1:" + keyText('1'));
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (std::size_t t = 0; t < failures.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        const auto plaintext = std::to_string(t) + "/" + std::to_string(i);
        if (vault.open(vault.seal(plaintext, plaintext), plaintext).plaintext != plaintext) {
          ++failures[t];
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(failures == std::vector<int>(4, 0));
}

TEST_CASE("a replaced ring seals new values, a snapshot from keys() stays as it was", "[vault]") {
  const auto old_ring = KeyRing::parse("k1:" + keyText('1'), "test");
  Vault vault(old_ring);
  const auto before = vault.seal("before", kContext);
  const auto snapshot = vault.keys();
  vault.replaceKeys(old_ring.withNewActiveKey());
  const auto after = vault.seal("after", kContext);
  CHECK(Vault::keyIdOf(after) == std::string("k2"));
  CHECK(vault.open(before, kContext).plaintext == std::string("before"));
  CHECK(vault.open(after, kContext).plaintext == std::string("after"));
  CHECK(vault.keys()->active().id == "k2");
  CHECK(snapshot->active().id == "k1");
  CHECK(snapshot->keys().size() == 1);
}

TEST_CASE("the ring is replaced while other threads seal and open, and none fails", "[vault]") {
  auto ring = KeyRing::parse("k1:" + keyText('1'), "test");
  Vault vault(ring);
  const auto first = vault.seal("first", kContext);
  std::atomic<bool> replacing{true};
  std::atomic<int> operations{0};
  std::vector<int> failures(3, 0);
  std::vector<std::set<std::string>> sealed_with(failures.size());
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < failures.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; replacing; ++i) {
        const auto plaintext = std::to_string(t) + "/" + std::to_string(i);
        const auto sealed = vault.seal(plaintext, plaintext);
        sealed_with[t].insert(Vault::keyIdOf(sealed).value_or(""));
        if (vault.open(sealed, plaintext).plaintext != plaintext) ++failures[t];
        if (vault.open(first, kContext).plaintext != std::string("first")) ++failures[t];
        ++operations;
      }
    });
  }
  for (int n = 0; n < 50; ++n) {
    ring = ring.withNewActiveKey();  // every earlier key stays, as in a rotation
    vault.replaceKeys(ring);
    const int seen = operations;
    while (operations < seen + 10) std::this_thread::yield();  // work under each ring
  }
  replacing = false;
  for (auto& thread : threads) thread.join();
  CHECK(failures == std::vector<int>(failures.size(), 0));
  CHECK(vault.keys()->active().id == "k51");
  std::set<std::string> all;
  for (const auto& ids : sealed_with) all.insert(ids.begin(), ids.end());
  CHECK(all.size() > 10);  // the sealing threads followed the replacements
}

TEST_CASE("open asks the unknown-key handler, and tries once more if it replaced the ring",
          "[vault]") {
  const auto old_ring = KeyRing::parse("k1:" + keyText('1'), "test");
  const auto new_ring = old_ring.withNewActiveKey();
  Vault vault(old_ring);
  const auto sealed = Vault(new_ring).seal("fresh", kContext);
  int calls = 0;

  SECTION("the handler brings the ring that has the key") {
    vault.setUnknownKeyHandler([&] {
      ++calls;
      vault.replaceKeys(new_ring);
    });
    CHECK(vault.open(sealed, kContext).plaintext == std::string("fresh"));
    CHECK(calls == 1);
    CHECK(vault.open(sealed, kContext));
    CHECK(calls == 1);
  }
  SECTION("a ring still without the key gives UnknownKey after one call") {
    vault.setUnknownKeyHandler([&] {
      ++calls;
      vault.replaceKeys(old_ring);
    });
    const auto opened = vault.open(sealed, kContext);
    CHECK(opened.error == OpenError::UnknownKey);
    CHECK_THAT(opened.message, Catch::Contains("'k2'"));
    CHECK(calls == 1);
  }
  SECTION("other failures do not call it, nor does a removed handler") {
    vault.setUnknownKeyHandler([&] { ++calls; });
    CHECK(vault.open("not sealed", kContext).error == OpenError::Malformed);
    vault.setUnknownKeyHandler({});
    CHECK(vault.open(sealed, kContext).error == OpenError::UnknownKey);
    CHECK(calls == 0);
  }
}
