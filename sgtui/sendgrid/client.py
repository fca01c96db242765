"""The async SendGrid v3 client: one pooled connection per client, polite and persistent.

Every call goes through :meth:`SendGridClient._request`, which

* waits when the rate limiter says so (spacing requests once ``Remaining`` runs low, waiting
  for the reset once nothing is left),
* retries 5xx answers, timeouts and dropped connections with exponential backoff and jitter,
* waits for the window to reset on 429 and tries again,
* turns every other failure into a typed :class:`~sgtui.sendgrid.errors.SendGridError`,
* logs method, path template, status and duration (never the key, never a body, because
  bodies hold personal data).

Which requests may be sent twice: contact upserts (the same contacts end up the same),
removals from a list, searches and reads are all safe to resend. A second contact export is
harmless (an extra file). Creating a list is not: see :meth:`SendGridClient.create_list`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx

from sgtui import __version__
from sgtui.sendgrid.errors import (
    ListNotFound,
    NetworkError,
    NotFound,
    RateLimited,
    SendGridError,
    ServiceUnavailable,
    UnexpectedResponse,
    UnusableKey,
)
from sgtui.sendgrid.events import RateLimitObserved, RequestPaced, RequestRetried
from sgtui.sendgrid.models import (
    ContactExport,
    ContactList,
    FieldDefinition,
    FieldDefinitions,
    ImportJob,
)
from sgtui.sendgrid.ratelimit import (
    RESET_MARGIN,
    RateLimiter,
    RateLimitState,
    endpoint_class,
    parse_reset,
    parse_retry_after,
)
from sgtui.sendgrid.responses import error_for
from sgtui.sendgrid.retry import RETRY_REASONS, backoff_delay, failure_kind, is_retryable_status
from sgtui.sendgrid.security import check_base_url, redact
from sgtui.workspace.secrets import ApiKey

logger = logging.getLogger("sgtui.sendgrid")

DEFAULT_BASE_URL = "https://api.sendgrid.com"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
UPSERT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
"""An upsert carries up to 4 MiB: a minute to send it and a minute for the answer."""
POOL_LIMITS = httpx.Limits(max_connections=10, max_keepalive_connections=10)
LIST_PAGE_SIZE = 1000
SEARCH_CHUNK = 100
"""``POST /v3/marketing/contacts/search/emails`` answers for at most 100 emails."""
SEARCH_EMAIL_MAX = 100
"""The spec caps each searched email at 100 characters."""
REMOVE_CHUNK = 100
"""Contact ids per removal request: 100 ids of 36 characters keep the URL under 4 KB."""
MAX_LIST_PAGES = 10_000
RETRY_AFTER_CAP = 60.0

SCOPES = "/v3/scopes"
LISTS = "/v3/marketing/lists"
LIST = "/v3/marketing/lists/{id}"
LIST_COUNT = "/v3/marketing/lists/{id}/contacts/count"
LIST_CONTACTS = "/v3/marketing/lists/{id}/contacts"
CONTACTS = "/v3/marketing/contacts"
IMPORT = "/v3/marketing/contacts/imports/{id}"
SEARCH_EMAILS = "/v3/marketing/contacts/search/emails"
EXPORTS = "/v3/marketing/contacts/exports"
EXPORT = "/v3/marketing/contacts/exports/{id}"
FIELD_DEFINITIONS = "/v3/marketing/field_definitions"

EventCallback = Callable[[object], None]
Sleep = Callable[[float], Awaitable[None]]


class SendGridClient:
    """An async client for the SendGrid Marketing endpoints sgtui uses.

    Use it as ``async with SendGridClient(key) as client: ...`` (or call :meth:`aclose`).
    ``transport`` lets tests answer requests themselves; ``sleep``, ``clock``,
    ``wall_clock`` and ``rng`` let them run every wait instantly and deterministically;
    ``event_hooks`` are passed to httpx (tests validate requests with them).
    """

    list_page_size: int = LIST_PAGE_SIZE
    """Lists per page when reading all lists (tests lower it to see paging)."""

    def __init__(
        self,
        api_key: ApiKey,
        *,
        base_url: str = DEFAULT_BASE_URL,
        transport: httpx.AsyncBaseTransport | None = None,
        max_retries: int = 6,
        on_event: EventCallback | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
        event_hooks: Mapping[str, list[Callable[..., Any]]] | None = None,
    ) -> None:
        if not isinstance(api_key, ApiKey):
            raise TypeError("api_key must be an sgtui.workspace.secrets.ApiKey")
        url = check_base_url(base_url)
        if (because := api_key.unusable_because) is not None:
            raise UnusableKey(because)
        self._key = api_key
        self.base_url = str(url).rstrip("/")
        self.host = url.host
        self.max_retries = max(0, max_retries)
        self._on_event = on_event
        self._sleep = sleep
        self._clock = clock
        self._wall_clock = wall_clock
        self._rng = rng or random.Random()
        self._limiter = RateLimiter()
        self._answered: dict[str, int] = {}  # 2xx answers per endpoint class
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            transport=transport,
            timeout=DEFAULT_TIMEOUT,
            limits=POOL_LIMITS,
            follow_redirects=False,  # a redirect must never carry the key to another host
            headers={
                "Authorization": f"Bearer {api_key.reveal()}",
                "Accept": "application/json",
                "User-Agent": f"sgtui/{__version__}",
            },
            event_hooks=dict(event_hooks) if event_hooks else None,
        )

    def __repr__(self) -> str:
        return f"SendGridClient(base_url={self.base_url!r}, api_key={self._key!r})"

    async def __aenter__(self) -> SendGridClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self._http.aclose()

    # ----------------------------------------------------------------- rate-limit meter

    @property
    def rate_limit(self) -> RateLimitState | None:
        """The rate-limit state seen last (any endpoint class), for a UI meter."""
        return self._limiter.last

    # ----------------------------------------------------------------------- endpoints

    async def scopes(self) -> frozenset[str]:
        """The scopes (permissions) of this key, from ``GET /v3/scopes``."""
        data = await self._get_json(SCOPES)
        scopes = data.get("scopes")
        if not isinstance(scopes, list):
            raise UnexpectedResponse(200, f"GET {SCOPES}")
        return frozenset(str(scope) for scope in scopes)

    async def lists(self) -> list[ContactList]:
        """Every contact list of the account, following ``_metadata.next`` across pages.

        Only the ``page_token`` of ``next`` is used; the request goes to this client's own
        base URL, so a ``next`` pointing elsewhere can never receive the key.
        """
        found: list[ContactList] = []
        params = {"page_size": str(self.list_page_size)}
        seen: set[str] = set()
        for _ in range(MAX_LIST_PAGES):
            data = await self._get_json(LISTS, params=params)
            result = data.get("result")
            if not isinstance(result, list):
                raise UnexpectedResponse(200, f"GET {LISTS}")
            found += [ContactList.from_json(item) for item in result
                      if isinstance(item, Mapping) and item.get("id")]
            token = next_page_token(data)
            if token is None or token in seen:
                break
            seen.add(token)
            params = {"page_size": str(self.list_page_size), "page_token": token}
        return found

    async def create_list(self, name: str) -> ContactList:
        """Create a contact list called ``name`` (``BadRequest`` if the name is taken).

        Creating is not idempotent: a list may have been created even when the answer was a
        5xx, a timeout or a dropped connection. So after such a failure the client does not
        simply send the POST again: it first reads the lists and, if one called ``name``
        exists now, returns it; only otherwise does it try again. (A list of that name that
        existed before would have made the POST fail with 400 anyway; returning it then is
        what the caller wanted.) A 429 is always safe to resend: the request was refused.
        """
        failures = 0
        while True:
            try:
                response = await self._request(
                    "POST", LISTS, json_body={"name": name}, retry=False
                )
            except (ServiceUnavailable, NetworkError) as error:
                if isinstance(error, NetworkError) and error.kind == "tls":
                    raise
                if failures >= self.max_retries:
                    raise _with_attempts(error, failures + 1) from None
                failures += 1
                delay = backoff_delay(failures, self._rng)
                reason = (f"server error {error.status}" if isinstance(error, ServiceUnavailable)
                          else RETRY_REASONS.get(error.kind, error.kind))
                await self._retry_wait(RequestRetried(reason, failures, delay, "POST", LISTS))
                existing = await self._find_list(name)
                if existing is not None:
                    logger.info("create list: found it after an unclear failure; not resent")
                    return existing
                continue
            data = self._json(response, "POST", LISTS)
            if not data.get("id"):
                raise UnexpectedResponse(response.status_code, f"POST {LISTS}")
            return ContactList.from_json(data)

    async def get_list(self, list_id: str) -> ContactList:
        """One list by id; :class:`ListNotFound` when there is none."""
        data = await self._get_json(LIST, ident=list_id)
        if not data.get("id"):
            raise UnexpectedResponse(200, f"GET {LIST}")
        return ContactList.from_json(data)

    async def list_contact_count(self, list_id: str) -> int:
        """How many contacts are on the list now."""
        data = await self._get_json(LIST_COUNT, ident=list_id)
        count = data.get("contact_count")
        if not isinstance(count, int | float) or isinstance(count, bool):
            raise UnexpectedResponse(200, f"GET {LIST_COUNT}")
        return int(count)

    async def field_definitions(self) -> FieldDefinitions:
        """The account's reserved and custom contact fields."""
        return FieldDefinitions.from_json(await self._get_json(FIELD_DEFINITIONS))

    async def create_field_definition(self, name: str, field_type: str) -> FieldDefinition:
        """Create the custom field ``name`` of ``field_type`` (Text, Number or Date).

        Not idempotent, like :meth:`create_list`: after an unclear failure (5xx, timeout,
        dropped connection) the client reads the fields and returns the one called ``name``
        if it exists now, instead of sending the POST again.
        """
        try:
            response = await self._request(
                "POST", FIELD_DEFINITIONS, json_body={"name": name, "field_type": field_type},
                retry=False)
        except (ServiceUnavailable, NetworkError):
            existing = next((field for field in (await self.field_definitions()).custom
                             if field.name.lower() == name.lower()), None)
            if existing is None:
                raise
            logger.info("create field: found it after an unclear failure; not resent")
            return existing
        data = self._json(response, "POST", FIELD_DEFINITIONS)
        if not data.get("id"):
            raise UnexpectedResponse(response.status_code, f"POST {FIELD_DEFINITIONS}")
        return FieldDefinition.from_json(data)

    async def upsert_contacts(self, list_ids: Sequence[str], contacts: list[dict[str, Any]]) -> str:
        """Add or update ``contacts`` and put them on ``list_ids``; the job id.

        Raises :class:`InvalidContacts` when SendGrid refuses the batch because of some of
        its contacts (their positions are in ``error.problems``).
        """
        if not contacts:
            raise ValueError("upsert_contacts needs at least one contact")
        body: dict[str, Any] = {"contacts": contacts}
        if list_ids:
            body = {"list_ids": list(list_ids), "contacts": contacts}
        return await self.upsert_body(encode_json(body), len(contacts))

    async def upsert_body(self, body: bytes, count: int) -> str:
        """Like :meth:`upsert_contacts`, with the JSON body already serialized by the caller.

        ``count`` is the number of contacts in it, for the log line.
        """
        response = await self._request(
            "PUT", CONTACTS, content=body, timeout=UPSERT_TIMEOUT,
            log_extra=f" ({count} contacts, {len(body)} bytes)",
        )
        return self._job_id(response, "PUT", CONTACTS)

    async def import_status(self, job_id: str) -> ImportJob:
        """The state of an upsert or removal job (missing counts are 0)."""
        data = await self._get_json(IMPORT, ident=job_id)
        return ImportJob.from_json(data, job_id)

    async def search_emails(self, emails: Iterable[str]) -> dict[str, str]:
        """Contact ids by lower-cased email, for the emails that exist (100 per request).

        Emails are trimmed, lower-cased and searched once each. Emails longer than the
        spec's 100 characters are not searched (they cannot be, in one valid request).
        """
        return {email: str(contact["id"])
                async for email, contact in self._contacts_by_email(emails)}

    async def list_memberships(self, emails: Iterable[str]) -> dict[str, frozenset[str]]:
        """The list ids each existing contact is on, by lower-cased email (as
        :meth:`search_emails` looks them up)."""
        found: dict[str, frozenset[str]] = {}
        async for email, contact in self._contacts_by_email(emails):
            lists = contact.get("list_ids")
            found[email] = frozenset(str(x) for x in lists) if isinstance(lists, list) \
                else frozenset()
        return found

    async def _contacts_by_email(self, emails: Iterable[str]
                                 ) -> AsyncIterator[tuple[str, Mapping[str, Any]]]:
        wanted = list(dict.fromkeys(e.strip().lower() for e in emails if e and e.strip()))
        too_long = [email for email in wanted if len(email) > SEARCH_EMAIL_MAX]
        if too_long:
            logger.warning("search emails: %d emails over %d characters not searched",
                           len(too_long), SEARCH_EMAIL_MAX)
            wanted = [email for email in wanted if len(email) <= SEARCH_EMAIL_MAX]
        for chunk in chunked(wanted, SEARCH_CHUNK):
            try:
                response = await self._request("POST", SEARCH_EMAILS, json_body={"emails": chunk})
            except NotFound:
                continue  # 404: none of this chunk's emails is a contact
            result = self._json(response, "POST", SEARCH_EMAILS).get("result")
            if not isinstance(result, Mapping):
                continue
            for email, entry in result.items():
                contact = entry.get("contact") if isinstance(entry, Mapping) else None
                if isinstance(contact, Mapping) and contact.get("id"):
                    yield str(email).strip().lower(), contact

    async def remove_from_list(self, list_id: str, contact_ids: Sequence[str]) -> list[str]:
        """Take contacts off a list (they stay in the account); one job id per 100 contacts."""
        unique = list(dict.fromkeys(str(cid) for cid in contact_ids if cid))
        jobs: list[str] = []
        for chunk in chunked(unique, REMOVE_CHUNK):
            response = await self._request(
                "DELETE", LIST_CONTACTS, ident=list_id, params={"contact_ids": ",".join(chunk)}
            )
            jobs.append(self._job_id(response, "DELETE", LIST_CONTACTS))
        return jobs

    async def start_export(self, list_ids: Sequence[str], *, file_type: str = "csv") -> str:
        """Start exporting the contacts of ``list_ids``; the export id.

        The download URLs of a finished export point at storage outside the API: fetch them
        without this client (they must not receive the key).
        """
        response = await self._request(
            "POST", EXPORTS, json_body={"list_ids": list(list_ids), "file_type": file_type}
        )
        data = self._json(response, "POST", EXPORTS)
        export_id = data.get("id")
        if not export_id:
            raise UnexpectedResponse(response.status_code, f"POST {EXPORTS}")
        return str(export_id)

    async def export_status(self, export_id: str) -> ContactExport:
        """The state of a contact export (``ready`` with download URLs when done)."""
        data = await self._get_json(EXPORT, ident=export_id)
        return ContactExport.from_json(data, export_id)

    # ------------------------------------------------------------------------ plumbing

    async def _find_list(self, name: str) -> ContactList | None:
        for contact_list in await self.lists():
            if contact_list.name == name:
                return contact_list
        return None

    async def _get_json(self, template: str, *, ident: str = "",
                        params: Mapping[str, str] | None = None) -> dict[str, Any]:
        response = await self._request("GET", template, ident=ident, params=params)
        return self._json(response, "GET", template)

    def _json(self, response: httpx.Response, method: str, template: str) -> dict[str, Any]:
        try:
            data = json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            raise UnexpectedResponse(response.status_code, f"{method} {template}") from None
        if not isinstance(data, dict):
            raise UnexpectedResponse(response.status_code, f"{method} {template}")
        return data

    def _job_id(self, response: httpx.Response, method: str, template: str) -> str:
        job_id = self._json(response, method, template).get("job_id")
        if not job_id:
            raise UnexpectedResponse(response.status_code, f"{method} {template}")
        return str(job_id)

    def _redact(self, text: str) -> str:
        return redact(text, self._key.reveal())

    def _emit(self, event: object) -> None:
        if self._on_event is None:
            return
        try:
            self._on_event(event)
        except Exception:  # a listener's bug must not break an upload
            logger.exception("on_event listener failed for %s", type(event).__name__)

    async def _retry_wait(self, event: RequestRetried) -> None:
        logger.warning("%s %s: %s on try %d, trying again in %.1f s",
                       event.method, event.path, event.reason, event.attempt, event.delay)
        self._emit(event)
        await self._sleep(event.delay)

    async def _pace(self, klass: str) -> None:
        delay, left = self._limiter.reserve(klass, now=self._clock())
        if delay > 0:
            logger.info("rate limit: %s requests paced, waiting %.2f s (%d left)",
                        klass, delay, max(left, 0))
            self._emit(RequestPaced(klass, delay, max(left, 0)))
            await self._sleep(delay)

    def _observe(self, klass: str, response: httpx.Response) -> None:
        now = self._clock()
        state = self._limiter.observe(klass, response.headers, now=now,
                                      wall_now=self._wall_clock())
        if state is not None:
            self._emit(RateLimitObserved(klass, state.limit, state.remaining,
                                         state.reset_in(now)))

    async def _request(
        self,
        method: str,
        template: str,
        *,
        ident: str = "",
        params: Mapping[str, str] | None = None,
        json_body: object = None,
        content: bytes | None = None,
        timeout: httpx.Timeout | None = None,
        retry: bool = True,
        log_extra: str = "",
    ) -> httpx.Response:
        """Send one API request with pacing, retries and error mapping; a 2xx response.

        ``retry=False`` still waits out 429s (a refused request did nothing) but does not
        resend after 5xx or transport failures, which may have reached the server.
        """
        if "{id}" in template:
            if not ident.strip():
                raise ListNotFound(ident) if "/lists/" in template else NotFound("item", ident)
            path = template.replace("{id}", quote(ident.strip(), safe=""))
        else:
            path = template
        if json_body is not None:
            content = encode_json(json_body)
        headers = {"Content-Type": "application/json"} if content is not None else None
        klass = endpoint_class(method, template)
        attempt = failures = waits = 0
        answered = self._answered.get(klass, 0)
        while True:
            attempt += 1
            await self._pace(klass)
            started = self._clock()
            try:
                response = await self._http.request(
                    method, path, params=params, content=content, headers=headers,
                    timeout=timeout or DEFAULT_TIMEOUT,
                )
            except httpx.RequestError as error:  # transport failures, undecodable bodies
                kind = failure_kind(error)
                logger.warning("%s %s -> %s after %.3f s", method, template, kind,
                               self._clock() - started)
                if kind == "tls" or not retry or failures >= self.max_retries:
                    detail = self._redact(str(error))[:200]
                    raise NetworkError(kind, self.host, attempt, detail) from None
                failures += 1
                delay = backoff_delay(failures, self._rng)
                await self._retry_wait(
                    RequestRetried(RETRY_REASONS[kind], attempt, delay, method, template))
                continue
            status = response.status_code
            logger.debug("%s %s -> %d in %.3f s%s", method, template, status,
                         self._clock() - started, log_extra)
            self._observe(klass, response)
            if status == 429:
                reset_in = parse_reset(response.headers.get("x-ratelimit-reset"),
                                       wall_now=self._wall_clock())
                if reset_in is None:
                    reset_in = parse_retry_after(response.headers.get("retry-after"))
                self._limiter.exhausted(klass, reset_in, now=self._clock())
                if self._answered.get(klass, 0) != answered:
                    # Requests of its class got through since: it lost a race for the window
                    # to its siblings, which is progress, not SendGrid refusing. Only 429s in
                    # a row with no progress at all count towards giving up.
                    waits, answered = 0, self._answered.get(klass, 0)
                if waits >= self.max_retries:
                    raise RateLimited(attempt, reset_in)
                waits += 1
                delay = (reset_in + RESET_MARGIN if reset_in is not None
                         else max(1.0, backoff_delay(waits, self._rng)))
                await self._retry_wait(
                    RequestRetried("rate limited", attempt, delay, method, template))
                continue
            if is_retryable_status(status):
                if not retry or failures >= self.max_retries:
                    raise ServiceUnavailable(status, attempt)
                failures += 1
                delay = backoff_delay(failures, self._rng)
                retry_after = parse_retry_after(response.headers.get("retry-after"))
                if retry_after is not None:
                    delay = max(delay, min(retry_after, RETRY_AFTER_CAP))
                await self._retry_wait(
                    RequestRetried(f"server error {status}", attempt, delay, method, template))
                continue
            if 200 <= status < 300:
                self._answered[klass] = self._answered.get(klass, 0) + 1
                return response
            if 400 <= status < 500:
                raise error_for(response, method=method, template=template,
                                ident=ident or _list_ids_of(content), redact=self._redact)
            raise UnexpectedResponse(status, f"{method} {template}")


def encode_json(body: object) -> bytes:
    """Compact UTF-8 JSON, as SendGrid receives it."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def next_page_token(page: Mapping[str, Any]) -> str | None:
    """The ``page_token`` in a page's ``_metadata.next`` URL, or None on the last page."""
    metadata = page.get("_metadata")
    if not isinstance(metadata, Mapping):
        return None
    next_url = metadata.get("next")
    if not isinstance(next_url, str) or not next_url:
        return None
    tokens = parse_qs(urlsplit(next_url).query).get("page_token")
    return tokens[0] if tokens and tokens[0] else None


def chunked(items: Sequence[str], size: int) -> Iterator[list[str]]:
    """``items`` in lists of at most ``size``."""
    for start in range(0, len(items), size):
        yield list(items[start:start + size])


def _list_ids_of(content: bytes | None) -> str:
    """The list ids named in a request body (only read when SendGrid answered 404)."""
    try:
        body = json.loads(content) if content else None
    except (ValueError, UnicodeDecodeError):
        return ""
    if isinstance(body, Mapping) and isinstance(body.get("list_ids"), list):
        return ", ".join(str(list_id) for list_id in body["list_ids"])
    return ""


def _with_attempts(error: SendGridError, attempts: int) -> SendGridError:
    if isinstance(error, NetworkError):
        return NetworkError(error.kind, error.host, attempts, error.detail)
    if isinstance(error, ServiceUnavailable):
        return ServiceUnavailable(error.status or 500, attempts)
    return error
