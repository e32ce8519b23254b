"""Database work from async code that waits (the API's turn wait): each call runs in the
request's sync thread and hands its connection back to the pool when it returns, so a coroutine
waiting between calls holds neither a thread nor a connection."""

import functools
from collections.abc import Awaitable, Callable

from asgiref.sync import sync_to_async
from django.db import connections


def database_call[**P, R](fn: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    @functools.wraps(fn)
    def releasing(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        finally:
            for connection in connections.all(initialized_only=True):
                # A connection inside a transaction belongs to it (a test's, under pytest).
                if not connection.in_atomic_block:
                    connection.close()

    return sync_to_async(releasing)
