# actc_add_library(): activations compiled by actc into a library target, for
# CMake projects (PACKAGE.md). actc's own build uses it too (the standard
# library, the runtime tests' plugin); find_package(actc) installs it.
#
#   actc_add_library(NAME SOURCES file.act...
#                    [ACTIVATIONS name...]  default: every activation in SOURCES
#                    [TARGETS target...]    default: host
#                    [KERNELS kernel...]    default: all
#                    [PRECISION accurate]   the only precision actc has yet
#                    [PLUGIN]               a MODULE library NAME.so instead
#                    [OUTPUT_NAME name])    the files' name, default NAME
#
# NAME is a static library, NAME.a with NAME.h on its include path, that
# links libactc_rt (actc::rt); with PLUGIN, a module library NAME.so that
# exports actc_manifest(). Both are made in the current binary directory,
# like add_halide_library's, and made again when actc, a source or a file a
# source imports changes: actc lists the imports in a depfile.
include_guard(GLOBAL)

# The depfile names absolute paths; with CMP0116 NEW, CMake's generators
# read them whatever the binary directory (the policy is recorded with the
# function).
cmake_policy(PUSH)
cmake_policy(SET CMP0116 NEW)

function(actc_add_library name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "PLUGIN" "PRECISION;OUTPUT_NAME"
                        "SOURCES;ACTIVATIONS;TARGETS;KERNELS")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "actc_add_library(${name}): unknown arguments "
                        "'${ARG_UNPARSED_ARGUMENTS}'")
  endif()
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "actc_add_library(${name}): SOURCES names no .act file")
  endif()
  # actc has no --precision option yet: every kernel it makes is accurate.
  if(ARG_PRECISION AND NOT ARG_PRECISION STREQUAL "accurate")
    message(FATAL_ERROR "actc_add_library(${name}): PRECISION ${ARG_PRECISION}: "
                        "this actc makes accurate kernels only")
  endif()

  set(output_name ${name})
  if(ARG_OUTPUT_NAME)
    set(output_name ${ARG_OUTPUT_NAME})
  endif()
  set(prefix ${CMAKE_CURRENT_BINARY_DIR}/${output_name})
  set(sources)
  foreach(source IN LISTS ARG_SOURCES)
    get_filename_component(source ${source} ABSOLUTE
                           BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
    list(APPEND sources ${source})
  endforeach()
  set(options)
  foreach(pair IN ITEMS ACTIVATIONS:--act TARGETS:--target KERNELS:--kernels)
    string(REPLACE ":" ";" pair ${pair})
    list(GET pair 0 keyword)
    list(GET pair 1 option)
    if(ARG_${keyword})
      list(JOIN ARG_${keyword} "," values)
      list(APPEND options ${option}=${values})
    endif()
  endforeach()
  if(ARG_PLUGIN)
    list(APPEND options --emit=plugin)
    set(outputs ${prefix}.so)
  else()
    set(outputs ${prefix}.a ${prefix}.h)
  endif()

  add_custom_command(
    OUTPUT ${outputs}
    COMMAND actc::actc ${sources} ${options} -o ${prefix} --depfile=${prefix}.d
    DEPENDS actc::actc ${sources}
    DEPFILE ${prefix}.d
    COMMENT "Compiling ${name} with actc"
    VERBATIM)
  add_custom_target(${name}_actc DEPENDS ${outputs})
  if(ARG_PLUGIN)
    add_library(${name} MODULE IMPORTED GLOBAL)
    set_target_properties(${name} PROPERTIES IMPORTED_LOCATION ${prefix}.so)
  else()
    add_library(${name} STATIC IMPORTED GLOBAL)
    set_target_properties(${name} PROPERTIES
      IMPORTED_LOCATION ${prefix}.a
      INTERFACE_INCLUDE_DIRECTORIES ${CMAKE_CURRENT_BINARY_DIR}
      INTERFACE_LINK_LIBRARIES actc::rt)
  endif()
  add_dependencies(${name} ${name}_actc)
endfunction()

cmake_policy(POP)
