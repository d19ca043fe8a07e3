# Tests of the HTTP API, the command line, headless mode and the browser page.
find_package(Qt6 REQUIRED COMPONENTS WebSockets)

# An HTTP client, an event-stream reader and a real `spool --headless` process, shared by these tests.
qt_add_library(spool_apitestsupport STATIC tst_apisupport.h tst_apisupport.cpp)
target_link_libraries(spool_apitestsupport PUBLIC spool_testsupport Qt6::Test Qt6::Network)
target_compile_definitions(spool_apitestsupport PUBLIC SPOOL_TEST_BINARY_DIR="${CMAKE_BINARY_DIR}")

spool_add_test(tst_api SOURCES tst_api.cpp LIBS spool_apitestsupport TIMEOUT 120)

spool_add_test(tst_headless SOURCES tst_headless.cpp LIBS spool_apitestsupport spool_testfixtures TIMEOUT 180)
add_dependencies(tst_headless spool)
spool_add_test(tst_cli SOURCES tst_cli.cpp LIBS spool_apitestsupport spool_testfixtures TIMEOUT 180)
add_dependencies(tst_cli spool)
spool_add_test(tst_webpage SOURCES tst_webpage.cpp LIBS spool_apitestsupport Qt6::WebSockets TIMEOUT 120)

# Several real Spool processes on one PostgreSQL queue (the private test server).
spool_add_test(tst_sharedqueue SOURCES tst_sharedqueue.cpp LIBS spool_apitestsupport spool_testfixtures TIMEOUT 300)
add_dependencies(tst_sharedqueue spool)
set_tests_properties(tst_sharedqueue PROPERTIES FIXTURES_REQUIRED postgresql
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen;QT_FATAL_WARNINGS=0;SPOOL_TEST_POSTGRESQL=${SPOOL_TEST_PG_DIR}/url")
target_compile_definitions(tst_sharedqueue PRIVATE SPOOL_TEST_SOURCE_DIR="${CMAKE_CURRENT_SOURCE_DIR}")
