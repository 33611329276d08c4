# The web page of `pipejudge serve` (judge/server/web/*.html, .js, .css, .svg),
# built into pj_server: embed.cmake writes its files as byte arrays into a
# generated source, again whenever one of them changes.
set(PJ_WEB_DIR ${CMAKE_SOURCE_DIR}/judge/server/web)
file(GLOB PJ_WEB_PATHS CONFIGURE_DEPENDS ${PJ_WEB_DIR}/*.html ${PJ_WEB_DIR}/*.js ${PJ_WEB_DIR}/*.css
     ${PJ_WEB_DIR}/*.svg)
set(PJ_WEB_NAMES "")
foreach(path ${PJ_WEB_PATHS})
  get_filename_component(name ${path} NAME)
  list(APPEND PJ_WEB_NAMES ${name})
endforeach()
list(JOIN PJ_WEB_NAMES "," PJ_WEB_LIST)
set(PJ_WEB_CPP ${CMAKE_BINARY_DIR}/generated/web_files.cpp)
add_custom_command(OUTPUT ${PJ_WEB_CPP}
  COMMAND ${CMAKE_COMMAND} -DDIR=${PJ_WEB_DIR} -DFILES=${PJ_WEB_LIST} -DOUTPUT=${PJ_WEB_CPP}
          -P ${PJ_WEB_DIR}/embed.cmake
  DEPENDS ${PJ_WEB_PATHS} ${PJ_WEB_DIR}/embed.cmake
  COMMENT "Embedding the web page of pipejudge serve" VERBATIM)
target_sources(pj_server PRIVATE ${PJ_WEB_CPP})
