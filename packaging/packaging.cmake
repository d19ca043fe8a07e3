# Desktop integration, translations and the Debian package. Included at the very end of the top-level
# CMakeLists.txt, so every target it extends (spool, spool_ui) exists by now.
include(GNUInstallDirs)

set(SPOOL_APP_ID io.github.spool.Spool)
set(SPOOL_ICON_SIZES 16 24 32 48 64 128 256)
set(SPOOL_TRANSLATIONS_INSTALL_DIR ${CMAKE_INSTALL_DATADIR}/spool/translations)
set(SPOOL_PACKAGE_MAINTAINER "Spool developers <spool@localhost>"
    CACHE STRING "Maintainer field of the .deb package")

# --- Translations --------------------------------------------------------------------------------
# spool_desktop: the translation loader, with the .qm files built from resources/translations/*.ts
# embedded under :/i18n and the application icon under :/icons. A library rather than sources of
# the `spool` target, so the tests link exactly what the app runs.
qt_add_library(spool_desktop STATIC ${PROJECT_SOURCE_DIR}/app/translations.h ${PROJECT_SOURCE_DIR}/app/translations.cpp)
target_include_directories(spool_desktop PUBLIC ${PROJECT_SOURCE_DIR}/app)
target_link_libraries(spool_desktop PUBLIC Qt6::Core)
target_compile_definitions(spool_desktop PRIVATE
    SPOOL_TRANSLATIONS_DIR="${CMAKE_INSTALL_FULL_DATADIR}/spool/translations")

# English has a .qm too: it holds only the plural forms ("1 job", "5 jobs") of the %n strings.
set(SPOOL_TS_FILES
    ${PROJECT_SOURCE_DIR}/resources/translations/spool_en.ts
    ${PROJECT_SOURCE_DIR}/resources/translations/spool_ru.ts)
set_source_files_properties(${SPOOL_TS_FILES} PROPERTIES OUTPUT_LOCATION ${CMAKE_BINARY_DIR}/translations)
qt_add_lrelease(spool_desktop TS_FILES ${SPOOL_TS_FILES} OPTIONS -silent QM_FILES_OUTPUT_VARIABLE SPOOL_QM_FILES)
qt_add_resources(spool_desktop spool_translations PREFIX /i18n BASE ${CMAKE_BINARY_DIR}/translations
    FILES ${SPOOL_QM_FILES})
set(spool_icon_dir ${PROJECT_SOURCE_DIR}/resources/icons)
qt_add_resources(spool_desktop spool_icons PREFIX /icons BASE ${spool_icon_dir}/hicolor/256x256/apps
    FILES ${spool_icon_dir}/hicolor/256x256/apps/${SPOOL_APP_ID}.png)

target_link_libraries(spool PRIVATE spool_desktop)
target_sources(spool_ui PRIVATE ${PROJECT_SOURCE_DIR}/ui/welcomedialog.h ${PROJECT_SOURCE_DIR}/ui/welcomedialog.cpp)

# --- Installation (GNUInstallDirs; the binary's own rule is in app/CMakeLists.txt) ---------------
# qt_standard_project_setup() gives installed binaries an $ORIGIN/../lib RPATH; Spool links only
# system libraries, and Debian wants no RPATH in /usr/bin.
set_target_properties(spool PROPERTIES INSTALL_RPATH "")
install(FILES ${PROJECT_SOURCE_DIR}/packaging/${SPOOL_APP_ID}.desktop
    DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/${SPOOL_APP_ID}.metainfo.xml
    DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
foreach(size IN LISTS SPOOL_ICON_SIZES)
    install(FILES ${spool_icon_dir}/hicolor/${size}x${size}/apps/${SPOOL_APP_ID}.png
        DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps)
endforeach()
install(FILES ${spool_icon_dir}/${SPOOL_APP_ID}.svg DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
install(FILES ${SPOOL_QM_FILES} DESTINATION ${SPOOL_TRANSLATIONS_INSTALL_DIR})

# --- Debian package: `cpack -G DEB` in the build dir ---------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME spool)
set(CPACK_PACKAGE_VENDOR "Spool")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${SPOOL_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
# Lines under 80 columns: dpkg shows the long description as it is.
string(JOIN "\n" CPACK_PACKAGE_DESCRIPTION
    "Spool downloads videos, playlists and whole channels with yt-dlp and ffmpeg."
    "Every download is a job in a queue kept in SQLite on disk: jobs run side by"
    "side, keep a full log each, retry transient failures with backoff, set"
    "permanent failures aside with their reason, and survive a crash or a restart."
    "It has a desktop window, a local HTTP API and a headless mode.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # spool_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# dpkg-shlibdeps (dpkg-dev) finds the libraries the binary links, with the versions it needs.
# By hand: what no binary links (the SQLite driver is a plugin; WebSockets comes in through
# HttpServer; QtConcurrent is linked by spool_core), and the programs Spool starts.
set(spool_deb_depends "libqt6sql6-sqlite (>= 6.4)" "libqt6websockets6 (>= 6.4)" "libqt6concurrent6 (>= 6.4)" yt-dlp ffmpeg)
find_program(SPOOL_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(SPOOL_DPKG_SHLIBDEPS)
    set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
    list(PREPEND spool_deb_depends "libqt6core6 (>= 6.4)" "libqt6gui6 (>= 6.4)" "libqt6widgets6 (>= 6.4)"
        "libqt6network6 (>= 6.4)" "libqt6sql6 (>= 6.4)" "libqt6httpserver6 (>= 6.4)")
endif()
list(JOIN spool_deb_depends ", " CPACK_DEBIAN_PACKAGE_DEPENDS)
# Qt's own dialogs in the user's language; Wayland sessions without XWayland.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "qt6-translations-l10n, qt6-wayland")
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build/" "/build-.*/")
include(CPack)
