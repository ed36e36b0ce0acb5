# keyhop_add_plugin(NAME SOURCES...): one keyhop plugin, built the same way in this tree and in
# a plugin's own repository (this file ships with the SDK package). The plugin sees the SDK
# alone, exports nothing but the SDK macro's aliases, and lands where keyhop looks for plugins
# (KEYHOP_PLUGIN_OUTPUT_DIR, when the including project sets it).
function(keyhop_add_plugin name)
  add_library(${name} MODULE ${ARGN})
  target_link_libraries(${name} PRIVATE keyhop::sdk)
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  target_compile_options(${name} PRIVATE -Wall -Wextra -Werror)
  if(KEYHOP_PLUGIN_OUTPUT_DIR)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${KEYHOP_PLUGIN_OUTPUT_DIR})
  endif()
  set_property(GLOBAL APPEND PROPERTY KEYHOP_PLUGIN_TARGETS ${name})
endfunction()
