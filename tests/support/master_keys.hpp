#pragma once

#include <string>

namespace keyhop::test {

// A fresh random master key ring in the KEYHOP_MASTER_KEYS form ("test1:BASE64"): tests never
// use a fixed or real key.
std::string generatedMasterKeys();

}  // namespace keyhop::test
