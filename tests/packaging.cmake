# Tests of packaging, desktop integration, translations and the first-run welcome.
# (Included from tests/CMakeLists.txt; spool_desktop is defined in packaging/packaging.cmake.)

# Every tr() string found by lupdate has a Russian translation; the .qm files load and switch.
spool_add_test(tst_translations SOURCES tst_translations.cpp LIBS spool_desktop TIMEOUT 120)
target_compile_definitions(tst_translations PRIVATE
    SPOOL_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    SPOOL_LUPDATE="$<TARGET_FILE:Qt6::lupdate>")

spool_add_test(tst_welcome SOURCES tst_welcome.cpp LIBS spool_ui spool_desktop TIMEOUT 120)

# `cmake --install` and `cpack -G DEB` of this build dir, checked file by file and by the validators.
spool_add_test(tst_package SOURCES tst_package.cpp TIMEOUT 300)
target_compile_definitions(tst_package PRIVATE
    SPOOL_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    SPOOL_CMAKE="${CMAKE_COMMAND}"
    SPOOL_CPACK="${CMAKE_CPACK_COMMAND}"
    SPOOL_PROJECT_VERSION="${PROJECT_VERSION}")
add_dependencies(tst_package spool)
