#pragma once

#include "api/apireply.h"
#include "api/apirequest.h"

#include <optional>

class Dispatcher;
class Subscriptions;

// The handlers of /api/queue (pause and resume the whole queue) and /api/subscriptions (the
// channels and playlists kept in sync). Without what runs the queue (a server given no dispatcher
// or subscriptions) these routes answer 503.
class QueueApi final
{
public:
    QueueApi(Dispatcher *dispatcher, Subscriptions *subscriptions)
        : m_dispatcher(dispatcher), m_subscriptions(subscriptions)
    {
    }
    Q_DISABLE_COPY_MOVE(QueueApi)

    // The queue's state; with `hold`, paused or resumed first.
    ApiReply state(std::optional<bool> hold);

    ApiReply subscriptions(const ApiRequest &request);
    ApiReply updateSubscription(const ApiRequest &request);
    ApiReply syncSubscription(const ApiRequest &request);
    ApiReply removeSubscription(const ApiRequest &request);

private:
    ApiReply subscription(qint64 id) const;

    Dispatcher *m_dispatcher;
    Subscriptions *m_subscriptions;
};
