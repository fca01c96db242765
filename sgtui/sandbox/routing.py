"""Routes: which function answers which method and path template, and its rate-limit class."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sgtui.sandbox.protocol import Call, Reply

if TYPE_CHECKING:
    from sgtui.sandbox.state import SandboxState

Endpoint = Callable[["SandboxState", Call], Reply]


@dataclass(frozen=True, slots=True)
class Route:
    """One SendGrid (or ``/_sandbox``) operation.

    ``limit_class`` picks its rate limit: ``"contacts"`` for contact writes (``PUT`` and
    ``DELETE /v3/marketing/contacts``), ``"search"`` for SGQL searches (both 200 a minute in
    recorded real traffic), ``"other"`` for everything else (600 a minute).
    """

    method: str
    template: str
    endpoint: Endpoint
    limit_class: str = "other"
    segments: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "segments", tuple(self.template.strip("/").split("/")))

    @property
    def name(self) -> str:
        """``"METHOD /path/{template}"``: the key of stats and rate-limit buckets."""
        return f"{self.method} {self.template}"

    def match(self, parts: list[str]) -> dict[str, str] | None:
        """The path parameters when ``parts`` (the path split on ``/``) fit, else None."""
        if len(parts) != len(self.segments):
            return None
        params: dict[str, str] = {}
        for segment, part in zip(self.segments, parts, strict=True):
            if segment[:1] == "{":
                if not part:
                    return None
                params[segment[1:-1]] = part
            elif segment != part:
                return None
        return params


def resolve(routes: list[Route], method: str, path: str
            ) -> tuple[Route | None, dict[str, str], bool]:
    """(route, path parameters, whether any route has this path) for a request."""
    parts = path.strip("/").split("/")
    path_known = False
    for route in routes:
        params = route.match(parts)
        if params is None:
            continue
        path_known = True
        if route.method == method:
            return route, params, True
    return None, {}, path_known
