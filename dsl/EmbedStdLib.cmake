# Writes OUTPUT, a C++ file defining act::standardLibrarySource() as INPUT's text.
file(READ ${INPUT} text)
set(delim "__actc_std_act__")
file(WRITE ${OUTPUT}
  "// Generated from std.act by EmbedStdLib.cmake; do not edit.\n"
  "#include \"dsl/Loader.h\"\n"
  "llvm::StringRef act::standardLibrarySource() {\n"
  "  static const char text[] = R\"${delim}(${text})${delim}\";\n"
  "  return llvm::StringRef(text, sizeof(text) - 1);\n"
  "}\n")
