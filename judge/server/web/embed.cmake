# Writes OUTPUT, a C++ file that holds the web page's files (FILES, a list
# of paths under DIR) as byte arrays: `serve` answers them from memory.
# Run by CMake at build time whenever one of them changes:
#   cmake -DDIR=... -DFILES=a,b -DOUTPUT=... -P embed.cmake
set(body "// Generated from judge/server/web/ by embed.cmake: do not edit.\n")
string(APPEND body "#include \"judge/server/web_page.hpp\"\n\nnamespace pj::judge {\nnamespace {\n")
set(table "")
set(index 0)
string(REPLACE "," ";" FILES "${FILES}")
foreach(file ${FILES})
  file(READ "${DIR}/${file}" hex HEX)
  string(LENGTH "${hex}" hex_length)
  math(EXPR size "${hex_length} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
  string(APPEND body "const char kFile${index}[] = {${bytes} 0};\n")
  string(APPEND table "    {\"/${file}\", std::string_view(kFile${index}, ${size})},\n")
  math(EXPR index "${index} + 1")
endforeach()
string(APPEND body "}  // namespace\n\nconst std::vector<WebFile>& web_files() {\n")
string(APPEND body "  static const std::vector<WebFile> files = {\n${table}  };\n  return files;\n}\n\n")
string(APPEND body "}  // namespace pj::judge\n")
file(WRITE "${OUTPUT}.tmp" "${body}")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
