# cmake -DREADELF=... -DMODULE=newswatchd-service.so -DOUT=file.cpp -P service_module_build_id.cmake
# Writes OUT: the GNU build ID of the service module built with this newswatchd, which the loader
# compares with the module it finds (service_loader.cpp). An empty ID turns the check off: no READELF
# (the check turned off, or no readelf in the toolchain), or a linker told not to write IDs.
set(id "")
if(READELF)
  execute_process(COMMAND ${READELF} -n ${MODULE} OUTPUT_VARIABLE notes RESULT_VARIABLE status
                  ERROR_QUIET)
  if(status EQUAL 0 AND notes MATCHES "Build ID: ([0-9a-f]+)")
    set(id "${CMAKE_MATCH_1}")
  else()
    message(WARNING "no GNU build ID read from ${MODULE}: newswatchd will not check its service module's build")
  endif()
endif()
file(WRITE ${OUT}
  "// Written at build time by daemon/service_module_build_id.cmake from ${MODULE}.\n"
  "namespace newswatch {\n"
  "extern const char kServiceModuleBuildId[] = \"${id}\";\n"
  "}  // namespace newswatch\n")
