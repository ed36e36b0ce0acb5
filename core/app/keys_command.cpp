#include <iomanip>
#include <thread>

#include "core/app/cli_args.hpp"
#include "core/app/commands.hpp"
#include "core/app/store_access.hpp"
#include "core/vault/key_file_watcher.hpp"

namespace keyhop::app {
namespace {

// Rotation and retirement rewrite the key file; keys given in the environment are changed by
// whoever sets the environment.
void requireKeyFile(const Config& config, const std::string& command) {
  if (!config.master_keys.empty()) {
    throw vault::KeyRingError(command + " works on the key file, but KEYHOP_MASTER_KEYS gives "
                              "the keys: change the variable instead (put the new key first)");
  }
}

int initKeys(const Config& config, const Args& args, CliContext& context) {
  parseArgs(args, "keys init", 0, 0);
  requireKeyFile(config, "keys init");
  std::filesystem::create_directories(config.master_key_file.parent_path().empty()
                                          ? std::filesystem::path(".")
                                          : config.master_key_file.parent_path());
  const auto ring = vault::KeyRing::createFile(config.master_key_file);
  context.out << "created " << config.master_key_file.string() << " (mode 0600) with key "
              << ring.active().id << "\nkeep a copy somewhere safe: without it, nothing keyhop "
              << "stored can be decrypted\n";
  return 0;
}

int listKeys(const Config& config, const Args& args, CliContext& context) {
  parseArgs(args, "keys list", 0, 0);
  auto opened = openConfiguredStore(config);
  context.out << std::left << std::setw(34) << "ID" << std::setw(8) << "ACTIVE"
              << "SECRETS SEALED\n";
  const auto ring = opened.vault->keys();
  for (const auto& key : ring->keys()) {
    context.out << std::setw(34) << key.id << std::setw(8) << (&key == &ring->active() ? "yes" : "")
                << opened.store->countSealedWith(key.id) << "\n";
  }
  return 0;
}

int rotateKeys(const Config& config, const Args& args, CliContext& context) {
  const auto parsed = parseArgs(args, "keys rotate", 0, 0, {"batch"});
  requireKeyFile(config, "keys rotate");
  std::size_t batch = 500;
  if (auto text = parsed.option("batch")) {
    try {
      batch = std::stoul(*text);
    } catch (const std::exception&) {
      batch = 0;
    }
    if (batch == 0) throw UsageError("keys rotate: --batch takes a positive number");
  }

  const auto rotated = loadKeyRing(config).withNewActiveKey();
  // The file first: from here on a crash leaves a ring that opens old and new values alike.
  rotated.save(config.master_key_file);
  context.out << "new active key " << rotated.active().id << " written to "
              << config.master_key_file.string() << "\n";
  // Running servers pick the file up within one watch period; re-encrypting only after that
  // means none of them seals with the old key afterwards, so the old key can be retired.
  const auto settle = 2 * vault::KeyFileWatchTiming{}.period + std::chrono::milliseconds(500);
  context.out << "waiting " << settle.count() << " ms for running keyhop servers to load it\n";
  std::this_thread::sleep_for(settle);

  vault::Vault vault(rotated);
  auto store = store::openStore(config.store, vault);
  std::size_t total = 0;
  while (const std::size_t done = store->reencryptBatch(batch)) {
    total += done;
    context.out << "re-encrypted " << total << " secret(s)\n";
  }
  context.out << "done: every stored secret is sealed with " << rotated.active().id << "\n";
  for (const auto& key : rotated.keys()) {
    if (&key != &rotated.active()) {
      context.out << "retire the old key when every keyhop instance has reloaded: keyhop keys "
                     "retire "
                  << key.id << "\n";
    }
  }
  return 0;
}

int retireKey(const Config& config, const Args& args, CliContext& context) {
  const auto parsed = parseArgs(args, "keys retire", 1, 1);
  requireKeyFile(config, "keys retire");
  const std::string& id = parsed.positional[0];
  const auto ring = loadKeyRing(config);
  const auto remaining = ring.without(id);  // refuses the active key and unknown ids

  vault::Vault vault(ring);
  auto store = store::openStore(config.store, vault);
  if (const auto sealed = store->countSealedWith(id)) {
    context.err << "keyhop: key " << id << " still seals " << sealed
                << " secret(s); run `keyhop keys rotate` first\n";
    return 1;
  }
  remaining.save(config.master_key_file);
  context.out << "retired key " << id << "\n";
  return 0;
}

}  // namespace

int runKeysCommand(const Config& config, const Args& args, CliContext& context) {
  if (args.empty()) throw UsageError("keys needs init, list, rotate or retire");
  const Args rest(args.begin() + 1, args.end());
  if (args[0] == "init") return initKeys(config, rest, context);
  if (args[0] == "list") return listKeys(config, rest, context);
  if (args[0] == "rotate") return rotateKeys(config, rest, context);
  if (args[0] == "retire") return retireKey(config, rest, context);
  throw UsageError("unknown keys command '" + args[0] + "'");
}

}  // namespace keyhop::app
