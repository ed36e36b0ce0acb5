#pragma once

// The one header a plugin includes.

#include "keyhop/plugin.hpp"
#include "keyhop/provider.hpp"
#include "keyhop/provider_spec.hpp"
