"""A local SendGrid-compatible HTTP server for the demo and the tests (``sgtui sandbox``).

It behaves like SendGrid's Marketing Campaigns v3 API for the endpoints in
``sgtui/spec/openapi-subset.json``, following the recorded real behaviour in the project's
API notes where that differs from the spec: bearer keys with scopes, lists with paging,
contact upserts checked synchronously and carried out by asynchronous jobs, job status with
the real lifecycle, SGQL and exact searches, removals, index lag, field definitions, exports,
``X-RateLimit-*`` headers and 429s, the 4 MiB body ceiling, and switchable faults.
``/_sandbox/...`` paths let tests look inside. It imports nothing from the rest of sgtui and
needs only the standard library.

Scopes (a decision, since SendGrid does not publish which scope gates which marketing
endpoint): ``GET`` under ``/v3/marketing`` needs ``marketing.read``; ``POST``, ``PUT``,
``PATCH`` and ``DELETE`` there need ``marketing.write``; ``GET /v3/scopes`` needs only a valid
key.

Modules, one job each: ``server`` (lifecycle and settings), ``httpd`` (the HTTP wire),
``dispatch`` (the order of checks), ``auth``, ``ratelimit``, ``faults``, ``validation``,
``store`` (the account data), ``custom_values`` (custom field values, checked in jobs),
``jobs`` (asynchronous work), ``index_lag`` (counts and searches catching up after jobs),
``sgql`` (the search language), ``persistence`` (state file), ``api_*`` (the endpoints),
``command`` (``sgtui sandbox``).
"""

from sgtui.sandbox.auth import FULL_ACCESS_SCOPES
from sgtui.sandbox.faults import FAULT_KINDS
from sgtui.sandbox.server import SandboxServer

__all__ = ["FAULT_KINDS", "FULL_ACCESS_SCOPES", "SandboxServer"]
