// Exports the ABI version but no entry point.

#include "keyhop/sdk.hpp"

namespace no_entry {

const keyhop::AbiVersion abi = keyhop::kAbiVersion;

}  // namespace no_entry

KEYHOP_EXPORT_ALIAS(no_entry::abi, keyhop_abi)
