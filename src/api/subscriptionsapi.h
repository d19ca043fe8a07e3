#pragma once

#include "api/apireply.h"
#include "api/apirequest.h"

class Subscriptions;

// The handlers of /api/subscriptions...: the channels and playlists kept in sync, as JSON. Without a
// Subscriptions (a server that does not run the queue) every route answers 503.
class SubscriptionsApi final
{
public:
    explicit SubscriptionsApi(Subscriptions *subscriptions) : m_subscriptions(subscriptions) {}
    Q_DISABLE_COPY_MOVE(SubscriptionsApi)

    ApiReply list(const ApiRequest &request);
    ApiReply update(const ApiRequest &request);
    ApiReply sync(const ApiRequest &request);
    ApiReply remove(const ApiRequest &request);

private:
    ApiReply one(qint64 id) const;

    Subscriptions *m_subscriptions;
};
