# keyhop-sdk: the header-only plugin API (target keyhop::sdk) and keyhop_add_plugin(), the one
# way a keyhop plugin is built. Usage: find_package(keyhop-sdk REQUIRED)
include(${CMAKE_CURRENT_LIST_DIR}/keyhop-sdk-targets.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/KeyhopPlugin.cmake)
