// An ordinary shared library: it exports a function but has no "keyhop" section.

extern "C" __attribute__((visibility("default"))) int notAPluginAnswer() { return 42; }
