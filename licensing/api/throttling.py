"""Rate limit per API key: a fixed-window counter in the cache (O(1) per request).

DRF's SimpleRateThrottle keeps a list of request times per client and rewrites it on every
request; with thousands of requests a minute that list is the cost. A counter per key and window
(``cache.add`` then ``cache.incr``, atomic on Redis) costs two cache calls.
"""

import time
from typing import Any

from django.core.cache import cache
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from partners.models import APIKey

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'1200/min' -> (1200, 60)."""
    count, _, period = rate.partition("/")
    return int(count), PERIODS[period.strip()[0].lower()]


class APIKeyRateThrottle(BaseThrottle):
    scope = "api_key"

    def __init__(self) -> None:
        self._wait: float | None = None

    def get_rate(self) -> tuple[int, int]:
        return parse_rate(api_settings.DEFAULT_THROTTLE_RATES[self.scope])

    def allow_request(self, request: Request, view: Any) -> bool:
        key = request.auth
        if not isinstance(key, APIKey):
            return True  # unauthenticated requests are refused before they cost anything
        limit, period = self.get_rate()
        now = time.time()
        window = int(now // period)
        cache_key = f"throttle:api_key:{key.prefix}:{period}:{window}"
        if cache.add(cache_key, 1, timeout=period + 1):
            count = 1
        else:
            try:
                count = cache.incr(cache_key)
            except ValueError:  # expired between add and incr
                cache.add(cache_key, 1, timeout=period + 1)
                count = 1
        request.rate_limit = (limit, max(0, limit - count), (window + 1) * period - now)  # type: ignore[attr-defined]
        if count > limit:
            self._wait = (window + 1) * period - now
            return False
        return True

    def wait(self) -> float | None:
        return self._wait
