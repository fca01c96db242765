"""The path of one request through the sandbox, in the order SendGrid's stack would take it.

1. ``/_sandbox`` paths are answered at once (no key, no faults, no limits, not counted).
2. The request is counted in the stats under its method and path template.
3. A fault may strike: a 500/503, a dropped connection, or a pause before going on.
4. Unknown path -> 404, known path with another method -> 405.
5. A body above 4 MiB -> 413 (the real ceiling, not the documented 6 MB).
6. No or unknown key -> 401; missing scope -> 403.
7. The endpoint's rate-limit window: 429 once used up.
8. Due jobs are settled, then the endpoint answers.

Every answer to a SendGrid path carries ``X-RateLimit-*`` headers; refusals before step 7 show
the window without using it up.
"""

from __future__ import annotations

import sys
import threading
import traceback
from collections.abc import Callable
from urllib.parse import parse_qsl, unquote, urlsplit

from sgtui.sandbox import api_account, api_contacts, api_exports, api_inspect, api_lists
from sgtui.sandbox.faults import SERVER_ERROR_MESSAGES, FaultPlan
from sgtui.sandbox.protocol import ApiError, Call, Headers, Reply, error_reply
from sgtui.sandbox.ratelimit import RateLimiter
from sgtui.sandbox.routing import Route, resolve
from sgtui.sandbox.state import SandboxState
from sgtui.sandbox.validation import MAX_BODY_BYTES

API_ROUTES: list[Route] = [
    *api_account.ROUTES, *api_lists.ROUTES, *api_contacts.ROUTES, *api_exports.ROUTES,
]
INSPECT_ROUTES: list[Route] = list(api_inspect.ROUTES)
TOO_MANY_REQUESTS = "too many requests"


class Drop:
    """Answer nothing: close the connection (the "drop" fault)."""


DROP = Drop()


class Dispatcher:
    """Turns one parsed HTTP request into a reply (or a dropped connection)."""

    def __init__(self, state: SandboxState, limiter: RateLimiter, faults: FaultPlan,
                 limits: Callable[[], dict[str, int]], stopping: threading.Event) -> None:
        self.state = state
        self.limiter = limiter
        self.faults = faults
        self.limits = limits  # () -> requests a window by limit class (see Route)
        self.stopping = stopping

    def handle(self, method: str, target: str, headers: Headers,
               body: bytes | None, base_url: str) -> Reply | Drop:
        """Answer one request; ``body`` is None when it was too large to read at all."""
        split = urlsplit(target)
        path = unquote(split.path) or "/"
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        if path == "/_sandbox" or path.startswith("/_sandbox/"):
            return self._inspect(method, path, query, headers, body or b"", base_url)
        route, params, path_known = resolve(API_ROUTES, method, path)
        name = route.name if route else f"{method} (unmatched)"
        self.state.stats.count_request(name)
        bucket = route.name if route else "(unmatched)"
        limit = self.limits()[route.limit_class if route is not None else "other"]
        fault = self.faults.draw()
        if fault is not None:
            if fault.kind == "drop":
                return DROP
            if fault.kind == "slow":
                self.stopping.wait(fault.delay)
            else:
                status = int(fault.kind)
                return self._refuse(status, SERVER_ERROR_MESSAGES[status], bucket, limit)
        if route is None:
            if path_known:
                return self._refuse(405, "method not allowed", bucket, limit)
            return self._refuse(404, "not found", bucket, limit)
        if body is None or len(body) > MAX_BODY_BYTES:
            return self._refuse(413, "request entity too large", bucket, limit)
        refusal = self.state.keys.check(headers.get("Authorization"), method, path)
        if refusal is not None:
            return self._refuse(*refusal, bucket, limit)
        quota = self.limiter.take(bucket, limit)
        if not quota.allowed:
            reply = error_reply(429, [(None, TOO_MANY_REQUESTS)])
        else:
            self.state.settle()
            call = Call(method, path, query, params, headers, body, base_url)
            reply = self._call(route, call)
        reply.headers.update(quota.headers())
        return reply

    def _refuse(self, status: int, message: str, bucket: str, limit: int) -> Reply:
        reply = error_reply(status, [(None, message)])
        reply.headers.update(self.limiter.peek(bucket, limit).headers())
        return reply

    def _call(self, route: Route, call: Call) -> Reply:
        try:
            return route.endpoint(self.state, call)
        except ApiError as error:
            return error.reply()
        except Exception:  # a sandbox bug: answer like SendGrid would, and say what broke
            traceback.print_exc(file=sys.stderr)
            return error_reply(500, [(None, "internal server error")])

    def _inspect(self, method: str, path: str, query: dict[str, str],
                 headers: Headers, body: bytes, base_url: str) -> Reply:
        route, params, path_known = resolve(INSPECT_ROUTES, method, path)
        if route is None:
            status = 405 if path_known else 404
            return error_reply(status, [(None, "method not allowed" if path_known
                                         else "not found")])
        self.state.settle()
        return self._call(route, Call(method, path, query, params, headers, body, base_url))
