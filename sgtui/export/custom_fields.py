"""An export's custom fields, found in the SendGrid account (or created) before a run sends.

Ids are opaque and differ per account, and contact upserts key custom values by id, so every
run reads ``GET /v3/marketing/field_definitions`` and finds each field by name (SendGrid's
names ignore case). A field missing from the account is created with its type; a field that
exists with another type, or an account with no room for the fields to create, stops the run
with a sentence before anything is sent.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sgtui.export.plan import PlanProblem
from sgtui.workspace.fields import MAX_CUSTOM_FIELDS
from sgtui.workspace.model import CustomFieldType, ExportConfig

if TYPE_CHECKING:
    from sgtui.export.control import RunControl
    from sgtui.sendgrid.client import SendGridClient
    from sgtui.sendgrid.models import FieldDefinitions

logger = logging.getLogger("sgtui.export")


@dataclass(frozen=True, slots=True)
class ResolvedField:
    """A custom field of the export as this account knows it."""

    name: str
    field_id: str
    column: str
    type: CustomFieldType


@dataclass(frozen=True, slots=True)
class ResolvedFields:
    """The export's custom fields with their ids, and the names this run created."""

    fields: tuple[ResolvedField, ...] = ()
    created: tuple[str, ...] = ()

    def created_sentence(self, *, dry_run: bool) -> str | None:
        """What the run's summary says about fields it created (None: it created none)."""
        return created_sentence(self.created, dry_run=dry_run)


def created_sentence(created: Sequence[str], *, dry_run: bool) -> str | None:
    """What a run says about the custom fields ``created`` (None: none); a dry run, and the
    wizard's review, say a real run would create them."""
    if not created:
        return None
    names = ", ".join(created)
    many = len(created) > 1
    if dry_run:
        return f"A real run would create the custom field{'s' if many else ''} {names}."
    return f"Created the custom field{'s' if many else ''} {names} in SendGrid."


def fields_to_create(export: ExportConfig, definitions: FieldDefinitions) -> tuple[str, ...]:
    """The export's custom fields the account does not have yet (names ignore case)."""
    have = {field.name.lower() for field in definitions.custom}
    return tuple(wanted.name for wanted in export.custom_fields
                 if wanted.name.lower() not in have)


def unresolved_fields(export: ExportConfig) -> tuple[ResolvedField, ...]:
    """The export's custom fields with stand-in ids: what the wizard's review prepares
    contacts with, without asking SendGrid (the values, and so the counts, are the same)."""
    return tuple(ResolvedField(wanted.name, stand_in_id(wanted.name), wanted.column,
                               wanted.type) for wanted in export.custom_fields)


def stand_in_id(name: str) -> str:
    """The id a dry run gives a field it would create (a real run gets one from SendGrid)."""
    return f"new:{name}"


def clash_problems(export: ExportConfig, definitions: FieldDefinitions) -> list[str]:
    """Sentences for every custom field that cannot be filled as the export says."""
    by_name = {field.name.lower(): field for field in definitions.custom}
    problems: list[str] = []
    missing = fields_to_create(export, definitions)
    table = f"[exports.{export.name}.custom_fields]"
    for wanted in export.custom_fields:
        existing = by_name.get(wanted.name.lower())
        if existing is None:
            continue
        kind = CustomFieldType.from_sendgrid(existing.field_type)
        if kind is not wanted.type:
            fix = (f'set type = "{kind.value}" for it in {table}, or pick another name'
                   if kind is not None else "pick another name")
            problems.append(
                f"The custom field {existing.name!r} is a {existing.field_type} field in "
                f"SendGrid, but the export fills it as {wanted.type.sendgrid}: {fix}. "
                "Nothing was sent.")
    room = MAX_CUSTOM_FIELDS - len(definitions.custom)
    if len(missing) > room:
        problems.append(
            f"The SendGrid account has {len(definitions.custom)} custom fields, SendGrid's "
            f"limit is {MAX_CUSTOM_FIELDS}, so sgtui cannot create {', '.join(missing)}: "
            "delete custom fields you no longer use in SendGrid, or fill existing ones. "
            "Nothing was sent.")
    return problems


async def resolve_custom_fields(control: RunControl, client: SendGridClient,
                                export: ExportConfig, *, dry_run: bool) -> ResolvedFields:
    """The export's custom fields with their ids in this account; missing ones are created
    (a dry run only says it would). Raises :class:`PlanProblem` on a clash."""
    if not export.custom_fields:
        return ResolvedFields()
    definitions = await control.or_cancel(client.field_definitions())
    problems = clash_problems(export, definitions)
    if problems:
        raise PlanProblem(problems)
    by_name = {field.name.lower(): field.id for field in definitions.custom}
    resolved: list[ResolvedField] = []
    created: list[str] = []
    for wanted in export.custom_fields:
        field_id = by_name.get(wanted.name.lower())
        if field_id is None:
            created.append(wanted.name)
            if dry_run:
                field_id = stand_in_id(wanted.name)
            else:
                made = await control.or_cancel(
                    client.create_field_definition(wanted.name, wanted.type.sendgrid))
                field_id = made.id
                logger.info("created the custom field %s (%s), id %s", wanted.name,
                            wanted.type.sendgrid, field_id)
        resolved.append(ResolvedField(wanted.name, field_id, wanted.column, wanted.type))
    return ResolvedFields(tuple(resolved), tuple(created))
