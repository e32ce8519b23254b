"""Rate limits: the exception every door turns into a 429, and a per-IP throttle for the pages
anyone can post to without an account (sign-up, login)."""

import functools
import time
from collections.abc import Callable

from django.core.cache import cache
from django.shortcuts import render


class RateLimited(Exception):
    """Too many requests; `message` says what to do and `retry_after` (seconds) when."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


def _count_in_window(key: str, window_seconds: int) -> tuple[int, int]:
    """How many hits `key` has in the current fixed window (this one included), and the seconds
    until the window ends."""
    window = int(time.time() // window_seconds)
    bucket = f"ratelimit:{key}:{window}"
    cache.add(bucket, 0, timeout=window_seconds)
    hits = cache.incr(bucket)
    return hits, (window + 1) * window_seconds - int(time.time())


def ip_throttled(scope: str, *, limit: Callable[[], int], window_seconds: int):
    """Refuse a client address's POSTs to the wrapped view past `limit()` per window, with 429.

    The address is REMOTE_ADDR: behind a proxy, the ASGI server must be told to trust its
    X-Forwarded-For (uvicorn --forwarded-allow-ips), never the raw header, which anyone can forge.
    """

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST":
                address = request.META.get("REMOTE_ADDR", "unknown")
                hits, retry_after = _count_in_window(f"{scope}:{address}", window_seconds)
                if hits > limit():
                    response = render(
                        request,
                        "rate_limited.html",
                        {"retry_after": retry_after},
                        status=429,
                    )
                    response["Retry-After"] = str(retry_after)
                    return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
