# The local HTTP API: routes, job <-> JSON, server-sent events, token and endpoint files, and the
# browser page (resources/web/) and OpenAPI document embedded as resources.
target_sources(spool_core PRIVATE
    api/apisettings.h api/apisettings.cpp
    api/apitoken.h api/apitoken.cpp
    api/apiendpoint.h api/apiendpoint.cpp
    api/apiidentity.h api/apiidentity.cpp
    api/apireply.h api/apireply.cpp
    api/apirequest.h
    api/apirouter.h
    api/jobjson.h api/jobjson.cpp
    api/jobsapi.h api/jobsapi.cpp
    api/queueapi.h api/queueapi.cpp
    api/hostsapi.h api/hostsapi.cpp
    api/toolsapi.h api/toolsapi.cpp
    api/eventhub.h api/eventhub.cpp
    api/eventstreams.h api/eventstreams.cpp
    api/connectionguard.h api/connectionguard.cpp
    api/apiserver.h api/apiserver.cpp
)

qt_add_resources(spool_core "spool_web"
    PREFIX "/web"
    BASE "${PROJECT_SOURCE_DIR}/resources/web"
    FILES
        "${PROJECT_SOURCE_DIR}/resources/web/index.html"
        "${PROJECT_SOURCE_DIR}/resources/web/app.js"
        "${PROJECT_SOURCE_DIR}/resources/web/style.css"
)
qt_add_resources(spool_core "spool_openapi"
    PREFIX "/"
    FILES api/openapi.json
)
