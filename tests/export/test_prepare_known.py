"""A delta run's preparation: contacts SendGrid already has exactly so are counted, not sent."""

from __future__ import annotations

from sgtui.export.prepare import ContactPreparer

MAPPING = {"email": "email", "first_name": "first_name"}
COLUMNS = ["id", "email", "first_name"]
ROWS = [("1", "Ann@Example.com", "Ann"), ("2", "bob@example.com", "Bob"),
        ("3", "cy@example.com", "C" * 60)]


def digests_of(rows: list[tuple[str, str, str]]) -> dict[str, int]:
    chunk = ContactPreparer("list-1", MAPPING, COLUMNS).prepare(rows)
    return dict(zip(chunk.emails, chunk.digests, strict=True))


def test_known_contacts_are_counted_unchanged_and_left_out() -> None:
    sent = digests_of(ROWS)
    preparer = ContactPreparer("list-1", MAPPING, COLUMNS, known={sent["ann@example.com"],
                                                                   sent["cy@example.com"]})
    chunk = preparer.prepare([*ROWS[:2], ("3", "cy@example.com", "C" * 60)])
    assert chunk.emails == ["bob@example.com"]
    assert (chunk.counts.valid, chunk.counts.unchanged, chunk.counts.trimmed_fields) == (3, 2, 1)


def test_a_changed_value_is_sent_again() -> None:
    sent = digests_of(ROWS)
    preparer = ContactPreparer("list-1", MAPPING, COLUMNS, known=set(sent.values()))
    chunk = preparer.prepare([("1", "ann@example.com", "Annie"), *ROWS[1:]])
    assert chunk.emails == ["ann@example.com"] and chunk.counts.unchanged == 2


def test_duplicates_and_bad_emails_count_the_same_with_or_without_known_digests() -> None:
    rows = [*ROWS, ("4", "ANN@example.com ", "Ann"), ("5", "not-an-email", "Dee"),
            ("6", "", "Eve"), ("7", "ann@example.com", "A" * 80)]
    plain = ContactPreparer("list-1", MAPPING, COLUMNS).prepare(rows).counts
    known = ContactPreparer("list-1", MAPPING, COLUMNS,
                            known=set(digests_of(ROWS).values())).prepare(rows).counts
    assert (plain.valid, plain.duplicates, plain.invalid_email, plain.missing_email,
            plain.trimmed_fields) == (3, 2, 1, 1, 1)
    assert known.counts == plain.counts.plus(unchanged=3)


def test_a_contact_known_for_another_list_is_sent() -> None:
    preparer = ContactPreparer("list-2", MAPPING, COLUMNS, known=set(digests_of(ROWS).values()))
    chunk = preparer.prepare(ROWS)
    assert len(chunk.emails) == 3 and chunk.counts.unchanged == 0
