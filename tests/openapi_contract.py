"""Check HTTP traffic against SendGrid's OpenAPI extract (`sgtui/spec/openapi-subset.json`).

Use it three ways:

- ``validate_request(method, url_or_path, json_body=None, query=None)``
- ``validate_response(method, url_or_path, status, json_body)``
- ``contract_hooks()``: httpx event hooks that run both checks on every exchange of an
  ``httpx.Client`` or ``httpx.AsyncClient`` (``httpx.AsyncClient(event_hooks=contract_hooks())``).

Every mismatch raises ``AssertionError`` naming the operation and what is wrong. A path, method
or status the spec does not know is a mismatch, except paths under ``/_sandbox`` (the sandbox's
own look-inside endpoints), which are never checked.

A test that sends a request the spec forbids *on purpose* (31,000 contacts, a 51-character
first name, a page_size of 0) to see the server refuse it passes
``extensions=SKIP_REQUEST_CHECK`` to that one httpx call: the answer is still checked.
``SKIP_CONTRACT`` skips both sides (for paths the spec does not know, such as an
intentionally wrong URL). A streamed request body (an iterator passed as ``content=``) cannot
be read by a hook and is not inspected.

The schemas are OpenAPI 3.1 (JSON Schema 2020-12). ``nullable: true`` (an OpenAPI 3.0 leftover
that the extract still uses) is read as "or null". Formats are checked where jsonschema can
(``uuid``, ``date-time``, ``email``).

Where recorded real traffic differs from the spec (the project's ``sendgrid/API-NOTES.md``), the
real form is accepted. Every such allowance is in the block "Allowances" below, with its reason;
nothing else in this file departs from the spec.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Awaitable, Callable, Generator, Mapping
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from referencing import Registry
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).resolve().parents[1] / "sgtui" / "spec" / "openapi-subset.json"
SPEC_URI = "urn:sgtui:openapi-subset"
METHODS = ("get", "put", "post", "patch", "delete")

#: Pass as ``extensions=`` to one httpx call to skip checking that request (its answer is
#: still checked): for requests that break the spec on purpose.
SKIP_REQUEST_CHECK: dict[str, str] = {"sgtui_contract": "skip-request"}
#: Pass as ``extensions=`` to one httpx call to check neither the request nor its answer.
SKIP_CONTRACT: dict[str, str] = {"sgtui_contract": "skip"}

# ================================================================================================
# Allowances: where real SendGrid traffic differs from the spec. The one place they live.
# ================================================================================================

#: SendGrid's error envelope, as the notes record it for every error ("Error body
#: everywhere: {"errors":[{"field": <string|null>, "message": <string>}]}"). Every answer
#: with a status >= 400 must match it (in addition to the spec's own schema, where usable).
SENDGRID_ERRORS: dict[str, Any] = {
    "type": "object",
    "required": ["errors"],
    "properties": {
        "errors": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["message"],
                "properties": {
                    "field": {"type": ["string", "null"]},
                    "message": {"type": "string"},
                    "error_id": {"type": "string"},
                    "help": {},
                },
            },
        },
    },
}

#: Statuses any operation may answer although its entry in the spec does not list them.
#: Reason: auth (401/403) applies to every call, 413 comes from the edge, 429 from the rate
#: limiter and 500/503 from outages (notes: "Auth and errors", "Rate limits"); the extract
#: lists them for the contacts endpoints only, never for lists or field definitions.
GENERIC_ERROR_STATUSES: frozenset[int] = frozenset({401, 403, 413, 429, 500, 503})

#: Further statuses allowed on one operation.
#: GET /v3/marketing/lists 400: a page_size outside 1..1000 or an unknown page_token is
#: refused like every other bad parameter; the spec lists only 200 for this operation.
#: 200 where the docs say 201/202 (list creation, upserts, removals): newer real traffic
#: (2026, recordings README) answers 200 there; the sandbox's ``success_200`` switch does too.
EXTRA_STATUSES: dict[tuple[str, str], frozenset[int]] = {
    ("GET", "/v3/marketing/lists"): frozenset({400}),
    ("POST", "/v3/marketing/lists"): frozenset({200}),
    ("PUT", "/v3/marketing/contacts"): frozenset({200}),
    ("DELETE", "/v3/marketing/contacts"): frozenset({200}),
    ("DELETE", "/v3/marketing/lists/{id}/contacts"): frozenset({200}),
}

#: Operations the extract left out, added with their definition from the same official source
#: file (twilio/sendgrid-oai ``spec/json/tsg_mc_contacts_v3.json`` at 2a6ae18, the version the
#: extract names; error answers reduced to the envelope, as everywhere). Reason: SGQL search is
#: what integrators call most (62 of 133 calls in the Grouparoo recording).
EXTRA_OPERATIONS: dict[str, dict[str, Any]] = {
    "/v3/marketing/contacts/search": {"post": {
        "operationId": "SearchContact",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object",
            "properties": {"query": {"type": "string"}},
            "required": ["query"],
        }}}},
        "responses": {
            "200": {"description": "", "content": {"application/json": {"schema": {
                "type": "object",
                "properties": {
                    "result": {"type": "array",
                               "items": {"$ref": "#/components/schemas/ContactDetails3"}},
                    "_metadata": {"$ref": "#/components/schemas/SelfMetadata"},
                    "contact_count": {"type": "number"},
                },
                "required": ["contact_count"],
            }}}},
            "400": {"description": "", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/SendGridErrors"}}}},
            "401": {"description": ""}, "403": {"description": ""},
            "404": {"description": ""}, "408": {"description": ""},
            "500": {"description": ""},
        },
    }},
}

#: A 413 may come back as HTML from SendGrid's edge (notes: "Auth and errors"): a non-JSON
#: body is accepted for these statuses.
NON_JSON_STATUSES: frozenset[int] = frozenset({413})

_JSON = "application~1json"


def _response_schema(path: str, method: str, status: int) -> str:
    escaped = path.replace("~", "~0").replace("/", "~1")
    return f"/paths/{escaped}/{method}/responses/{status}/content/{_JSON}/schema"


#: JSON-pointer -> replacement schema, applied to the spec when it is loaded.
SPEC_PATCHES: dict[str, tuple[Any, str]] = {
    # --- error shapes --------------------------------------------------------------------
    "/components/schemas/Error/properties/field": (
        {"type": ["string", "null"]},
        "real errors carry `field: null` when no field is at fault (notes: 'field': "
        "<string|null>); the spec types it as a plain string",
    ),
    "/components/schemas/ContactsError/properties/field": (
        {"type": ["string", "null"]}, "as for Error.field",
    ),
    "/components/schemas/CustomFieldsError/properties/field": (
        {"type": ["string", "null"]}, "as for Error.field",
    ),
    _response_schema("/v3/marketing/lists/{id}", "get", 404): (
        {"$ref": "#/components/schemas/SendGridErrors"},
        "the spec says a bare array of errors; every SendGrid error is the {errors: [...]} "
        "envelope (notes: 'Error body everywhere')",
    ),
    _response_schema("/v3/marketing/lists/{id}/contacts", "delete", 400): (
        {"$ref": "#/components/schemas/SendGridErrors"},
        "the spec says a single bare error object; real errors use the envelope",
    ),
    _response_schema("/v3/marketing/contacts/imports/{id}", "get", 400): (
        {"$ref": "#/components/schemas/SendGridErrors"},
        "the spec makes `errors` one object instead of an array; real errors use the envelope",
    ),
    _response_schema("/v3/marketing/contacts/search/identifiers/{identifier_type}", "post", 400): (
        {"$ref": "#/components/schemas/SendGridErrors"},
        "the spec says a single bare error object; real errors use the envelope",
    ),
    _response_schema("/v3/marketing/contacts/search/identifiers/{identifier_type}", "post", 404): (
        {"$ref": "#/components/schemas/SendGridErrors"},
        "the spec says a single bare error object; real errors use the envelope",
    ),
    # --- jobs ----------------------------------------------------------------------------
    _response_schema("/v3/marketing/contacts", "delete", 202) + "/properties/job_id": (
        {"type": "string"},
        "the spec types the deletion job id as an object; every job id SendGrid returns "
        "(upsert, list removal, and the docs' own example for this call) is a uuid string",
    ),
    "/components/schemas/ContactImport/properties/status": (
        {"type": "string", "enum": ["pending", "completed", "errored", "failed"]},
        "tightening, not loosening: the values the spec's description allows",
    ),
    "/components/schemas/ContactImport/properties/job_type": (
        {"type": "string",
         "enum": ["upsert", "delete", "upsert_contacts", "delete_contacts"]},
        "the spec's description allows `upsert` and `delete`; real traffic shows "
        "`upsert_contacts` (notes: 'Jobs'), so `delete_contacts` is accepted by analogy. "
        "Zero counts left out of `results` and `finished_at` absent while pending need no "
        "allowance: the spec requires none of those keys",
    ),
    # --- contacts ------------------------------------------------------------------------
    "/components/schemas/ContactDetails3/properties/segment_ids": (
        {"type": ["array", "null"], "items": {"type": "string"}},
        "recorded real contacts (search answers, 2021) carry `segment_ids: null`",
    ),
    "/components/schemas/ContactDetails/properties/segment_ids": (
        {"type": ["array", "null"], "items": {"type": "string", "format": "uuid"}},
        "as for ContactDetails3.segment_ids",
    ),
    "/components/schemas/ContactRequest/properties/custom_fields": (
        {"type": "object", "additionalProperties": {"type": ["string", "number"]}},
        "the spec's only property here is a sample (`w1`: string); custom field values are "
        "text, number or date (a string), keyed by field id (notes: 'Upsert contacts')",
    ),
}

# ================================================================================================


class _Operation:
    """One (method, path template) of the spec."""

    def __init__(self, method: str, template: str, entry: dict[str, Any],
                 path_parameters: list[dict[str, Any]]) -> None:
        self.method = method
        self.template = template
        self.entry = entry
        self.pointer = f"/paths/{template.replace('~', '~0').replace('/', '~1')}/{method.lower()}"
        parameters = [*path_parameters, *entry.get("parameters", [])]
        self.parameters = [_deref(parameter) for parameter in parameters]
        self.segments = template.strip("/").split("/")

    @property
    def name(self) -> str:
        return f"{self.method} {self.template}"

    def match(self, path: str) -> dict[str, str] | None:
        """The path parameters if ``path`` fits this template, else None."""
        parts = path.strip("/").split("/")
        if len(parts) != len(self.segments):
            return None
        found: dict[str, str] = {}
        for segment, part in zip(self.segments, parts, strict=True):
            if segment.startswith("{") and segment.endswith("}"):
                if not part:
                    return None
                found[segment[1:-1]] = part
            elif segment != part:
                return None
        return found


@cache
def spec() -> dict[str, Any]:
    """The spec with ``nullable`` rewritten and the allowances above applied."""
    document = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    document = _rewrite_nullable(document)
    document["components"]["schemas"]["SendGridErrors"] = copy.deepcopy(SENDGRID_ERRORS)
    for template, item in EXTRA_OPERATIONS.items():
        if template in document["paths"]:
            raise RuntimeError(f"the spec now has {template}: drop its extra operation")
        document["paths"][template] = copy.deepcopy(item)
    for pointer, (replacement, _reason) in SPEC_PATCHES.items():
        parent, key = _walk(document, pointer)
        if key not in parent:
            raise RuntimeError(f"allowance for {pointer} no longer fits the spec")
        parent[key] = copy.deepcopy(replacement)
    return document


@cache
def _registry() -> Registry:
    return Registry().with_resource(SPEC_URI, DRAFT202012.create_resource(spec()))


@cache
def _validator(pointer: str) -> Draft202012Validator:
    return Draft202012Validator(
        {"$ref": f"{SPEC_URI}#{pointer}"},
        registry=_registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


@cache
def operations() -> tuple[_Operation, ...]:
    """Every operation of the spec."""
    found = []
    for template, item in spec()["paths"].items():
        for method in METHODS:
            if method in item:
                found.append(_Operation(method.upper(), template, item[method],
                                        item.get("parameters", [])))
    return tuple(found)


def find_operation(method: str, path: str) -> _Operation:
    """The operation for ``method`` on ``path``; AssertionError when the spec has none."""
    known_path = False
    for operation in operations():
        if operation.match(path) is not None:
            known_path = True
            if operation.method == method.upper():
                return operation
    if known_path:
        raise AssertionError(f"{method.upper()} {path}: the spec has no such method on this path")
    raise AssertionError(f"{method.upper()} {path}: the spec has no such path")


def validate_request(method: str, url_or_path: str, json_body: Any = None,
                     query: Mapping[str, Any] | None = None) -> None:
    """Check a request against the spec: path, method, query parameters and JSON body.

    ``query`` adds to any query string in ``url_or_path``. Raises AssertionError on mismatch.
    """
    path, url_query = _split(url_or_path)
    if _is_sandbox_path(path):
        return
    operation = find_operation(method, path)
    path_values = operation.match(path) or {}
    supplied = dict(url_query)
    for key, value in (query or {}).items():
        supplied[key] = value if isinstance(value, str) else _query_text(value)
    for parameter in operation.parameters:
        name, where = parameter["name"], parameter["in"]
        if where == "path":
            _check_value(operation, f"path parameter {name!r}", parameter, path_values[name])
        elif where == "query":
            if name in supplied:
                _check_value(operation, f"query parameter {name!r}", parameter,
                             _coerce(supplied[name], parameter.get("schema", {})))
            elif parameter.get("required"):
                raise AssertionError(f"{operation.name}: query parameter {name!r} is required")
    declared = {p["name"] for p in operation.parameters if p["in"] == "query"}
    unknown = sorted(set(supplied) - declared)
    if unknown:
        raise AssertionError(f"{operation.name}: the spec declares no query parameter "
                             f"{', '.join(map(repr, unknown))} (declared: {sorted(declared)})")
    body_spec = operation.entry.get("requestBody")
    if json_body is None:
        if body_spec and body_spec.get("required"):
            raise AssertionError(f"{operation.name}: a JSON request body is required")
        return
    if body_spec is None:
        raise AssertionError(f"{operation.name}: the spec defines no request body")
    _check(operation, f"{operation.pointer}/requestBody/content/{_JSON}/schema", json_body,
           "request body")


def validate_response(method: str, url_or_path: str, status: int, json_body: Any) -> None:
    """Check an answer against the spec for ``method`` on ``url_or_path``.

    ``json_body`` is the decoded JSON (None for an empty body). Raises AssertionError when the
    status is not one the operation may answer or the body does not match its schema.
    """
    path, _query = _split(url_or_path)
    if _is_sandbox_path(path):
        return
    operation = find_operation(method, path)
    responses = operation.entry.get("responses", {})
    documented = str(status) in responses
    allowed = (status in GENERIC_ERROR_STATUSES
               or status in EXTRA_STATUSES.get((operation.method, operation.template), ()))
    if not documented and not allowed:
        raise AssertionError(f"{operation.name}: the spec lists no {status} answer "
                             f"(it lists {', '.join(sorted(responses))})")
    if status == 204:
        if json_body not in (None, ""):
            raise AssertionError(f"{operation.name} -> 204: the body must be empty, "
                                 f"got {json_body!r}")
        return
    if status >= 400:
        if json_body is None:
            raise AssertionError(f"{operation.name} -> {status}: an error needs SendGrid's "
                                 f"error body, got an empty body")
        _check(operation, "/components/schemas/SendGridErrors", json_body,
               f"{status} body (SendGrid error envelope)")
    if not documented:
        return
    response = _deref(responses[str(status)])
    if "content" not in response:
        return
    if json_body is None:
        raise AssertionError(f"{operation.name} -> {status}: expected a JSON body, got none")
    pointer = _response_schema(operation.template, operation.method.lower(), status)
    if "$ref" in responses[str(status)]:
        ref = responses[str(status)]["$ref"].removeprefix("#")
        pointer = f"{ref}/content/{_JSON}/schema"
    _check(operation, pointer, json_body, f"{status} body")


def contract_hooks(asynchronous: bool | None = None) -> dict[str, list[Callable[..., Any]]]:
    """httpx ``event_hooks`` that validate every request and response against the spec.

    Works for ``httpx.Client`` and ``httpx.AsyncClient`` alike (each hook returns an awaitable
    that is harmless to drop); ``asynchronous=True`` forces reading bodies with ``aread()``.
    A request whose ``extensions`` include ``SKIP_REQUEST_CHECK`` or ``SKIP_CONTRACT`` is let
    through as documented above.
    """

    def on_request(request: httpx.Request) -> Awaitable[None]:
        mode = request.extensions.get("sgtui_contract")
        if mode in ("skip", "skip-request"):
            return _DONE
        check_request(request)
        return _DONE

    def on_response(response: httpx.Response) -> Awaitable[None]:
        if response.request.extensions.get("sgtui_contract") == "skip":
            return _DONE
        if _is_sandbox_path(response.request.url.path):
            return _DONE
        is_async = asynchronous
        if is_async is None:
            is_async = not isinstance(response.stream, httpx.SyncByteStream)
        if is_async:
            return _check_async(response)
        response.read()
        check_response(response)
        return _DONE

    return {"request": [on_request], "response": [on_response]}


def check_request(request: httpx.Request) -> None:
    """Validate one built ``httpx.Request`` (a streamed body is not inspected)."""
    try:
        content = request.content
    except httpx.RequestNotRead:
        content = b""
    body = None
    if content:
        try:
            body = json.loads(content)
        except ValueError:
            raise AssertionError(f"{request.method} {request.url.path}: the request body is "
                                 f"not JSON") from None
    validate_request(request.method, str(request.url), body)


def check_response(response: httpx.Response) -> None:
    """Validate one ``httpx.Response`` whose body has been read."""
    body: Any = None
    if response.content:
        try:
            body = json.loads(response.content)
        except ValueError:
            if response.status_code in NON_JSON_STATUSES:
                return
            raise AssertionError(
                f"{response.request.method} {response.request.url.path} -> "
                f"{response.status_code}: the body is not JSON: {response.text[:200]!r}"
            ) from None
    validate_response(response.request.method, str(response.request.url),
                      response.status_code, body)


async def _check_async(response: httpx.Response) -> None:
    await response.aread()
    check_response(response)


class _Done:
    """An awaitable that is already finished (and harmless never to await)."""

    def __await__(self) -> Generator[None, None, None]:
        yield from ()


_DONE = _Done()


def _check(operation: _Operation, pointer: str, instance: Any, what: str) -> None:
    error = best_match(_validator(pointer).iter_errors(instance))
    if error is not None:
        where = error.json_path
        raise AssertionError(f"{operation.name}: {what} does not match the spec at {where}: "
                             f"{error.message}")


def _check_value(operation: _Operation, what: str, parameter: dict[str, Any], value: Any) -> None:
    schema = parameter.get("schema")
    if schema is None:
        return
    validator = Draft202012Validator(_absolute_refs(schema), registry=_registry(),
                                     format_checker=Draft202012Validator.FORMAT_CHECKER)
    error = best_match(validator.iter_errors(value))
    if error is not None:
        raise AssertionError(f"{operation.name}: {what} {value!r} does not match the spec: "
                             f"{error.message}")


def _absolute_refs(node: Any) -> Any:
    """``node`` with its ``#/...`` refs pointing into the registered spec."""
    if isinstance(node, list):
        return [_absolute_refs(item) for item in node]
    if not isinstance(node, dict):
        return node
    return {key: (f"{SPEC_URI}{value}" if key == "$ref" and str(value).startswith("#")
                  else _absolute_refs(value)) for key, value in node.items()}


def _coerce(text: str, schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    try:
        if kind == "integer":
            return int(text)
        if kind == "number":
            number = float(text)
            return int(number) if number.is_integer() and "." not in text else number
        if kind == "boolean" and text in ("true", "false"):
            return text == "true"
    except ValueError:
        return text
    return text


def _query_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _split(url_or_path: str) -> tuple[str, list[tuple[str, str]]]:
    parts = urlsplit(url_or_path)
    return parts.path or "/", parse_qsl(parts.query, keep_blank_values=True)


def _is_sandbox_path(path: str) -> bool:
    return path == "/_sandbox" or path.startswith("/_sandbox/")


def _deref(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node and node["$ref"].startswith("#/components/") and len(node) == 1:
        parent, key = _walk(spec(), node["$ref"].removeprefix("#"))
        node = parent[key]
    return node


def _walk(document: Any, pointer: str) -> tuple[Any, str]:
    keys = [k.replace("~1", "/").replace("~0", "~") for k in pointer.strip("/").split("/")]
    node = document
    for key in keys[:-1]:
        node = node[int(key)] if isinstance(node, list) else node[key]
    return node, keys[-1]


def _rewrite_nullable(node: Any) -> Any:
    if isinstance(node, list):
        return [_rewrite_nullable(item) for item in node]
    if not isinstance(node, dict):
        return node
    rewritten = {key: _rewrite_nullable(value) for key, value in node.items()}
    if rewritten.pop("nullable", False) is True and "type" in rewritten:
        kind = rewritten["type"]
        kinds = list(kind) if isinstance(kind, list) else [kind]
        rewritten["type"] = [*kinds, "null"] if "null" not in kinds else kinds
    return rewritten


__all__ = [
    "GENERIC_ERROR_STATUSES",
    "SKIP_CONTRACT",
    "SKIP_REQUEST_CHECK",
    "SPEC_PATCHES",
    "check_request",
    "check_response",
    "contract_hooks",
    "find_operation",
    "validate_request",
    "validate_response",
]
