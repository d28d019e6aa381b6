"""The addresses of calendar subscription feeds, made from a feed's secret token.

They live below the features because more than the feeds need them: the invitation mails tell
each expert their own address. The feeds themselves (tokens, contents) are `eventsys.feeds`.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import url_for

if TYPE_CHECKING:
    from eventsys.experts.models import Expert


@dataclass(frozen=True)
class FeedAddresses:
    https: str  # to open in a browser or paste into a web calendar
    webcal: str  # opens the calendar program and subscribes


def feed_addresses(endpoint: str, token: str) -> FeedAddresses:
    """Both forms of the address of the feed `endpoint` opens with `token`."""
    url = url_for(endpoint, token=token, _external=True)
    return FeedAddresses(https=url, webcal="webcal://" + url.split("://", 1)[1])


def expert_feed_addresses(expert: "Expert") -> FeedAddresses | None:
    """The addresses of `expert`'s own feed, or None if they have none."""
    if expert.feed_token is None:
        return None
    return feed_addresses("feeds.expert_feed", expert.feed_token)
