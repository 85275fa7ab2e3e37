# Configures and builds liba3c_bullet.so under a lock, so that concurrent MSBuild nodes
# (parallel builds, several configurations) never run two builds in one folder.
# Usage: cmake -DA3C_SOURCE_DIR=<native/> -DA3C_BUILD_DIR=<obj/native/> -P build-shim.cmake
cmake_minimum_required(VERSION 3.16)

foreach(required A3C_SOURCE_DIR A3C_BUILD_DIR)
  if(NOT DEFINED ${required} OR "${${required}}" STREQUAL "")
    message(FATAL_ERROR "build-shim.cmake: -D${required}=<path> is required")
  endif()
endforeach()

file(MAKE_DIRECTORY "${A3C_BUILD_DIR}")
file(LOCK "${A3C_BUILD_DIR}/build.lock" GUARD PROCESS TIMEOUT 900 RESULT_VARIABLE lock_status)
if(NOT lock_status EQUAL 0)
  message(FATAL_ERROR "build-shim.cmake: could not lock ${A3C_BUILD_DIR}/build.lock: ${lock_status}")
endif()

set(configure_args -S "${A3C_SOURCE_DIR}" -B "${A3C_BUILD_DIR}" -DCMAKE_BUILD_TYPE=Release)
if(DEFINED A3C_BULLET_INCLUDE_DIR AND NOT "${A3C_BULLET_INCLUDE_DIR}" STREQUAL "")
  list(APPEND configure_args "-DBULLET_INCLUDE_DIR=${A3C_BULLET_INCLUDE_DIR}")
endif()

execute_process(COMMAND "${CMAKE_COMMAND}" ${configure_args} RESULT_VARIABLE configure_status)
if(NOT configure_status EQUAL 0)
  # A failed configure (missing compiler or Bullet) must not leave a cache that hides the fix.
  file(REMOVE "${A3C_BUILD_DIR}/CMakeCache.txt")
  message(FATAL_ERROR "build-shim.cmake: CMake configure of ${A3C_SOURCE_DIR} failed (${configure_status})")
endif()

execute_process(COMMAND "${CMAKE_COMMAND}" --build "${A3C_BUILD_DIR}" RESULT_VARIABLE build_status)
if(NOT build_status EQUAL 0)
  message(FATAL_ERROR "build-shim.cmake: CMake build in ${A3C_BUILD_DIR} failed (${build_status})")
endif()
