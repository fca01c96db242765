"""How a run's ending reads, from its counts alone: no sandbox, no run."""

from __future__ import annotations

from sgtui.export.outcome import (
    RunFacts,
    cancel_sentence,
    outcome,
    too_many_removals,
    unexpected_sentence,
)
from sgtui.workspace.run_records import RunCounts, RunStatus


def test_a_clean_run_says_what_was_sent_and_skipped() -> None:
    status, sentence = outcome(RunFacts(RunCounts(valid=1_500, uploaded=1_200, unchanged=300)))
    assert status is RunStatus.SUCCEEDED
    assert sentence == ("Sent 1,200 contacts (300 unchanged were skipped); SendGrid confirmed "
                        "them all.")


def test_one_contact_is_it_and_one_row_set_aside_names_the_file() -> None:
    counts = RunCounts(valid=1, uploaded=1, missing_email=1)
    _, sentence = outcome(RunFacts(counts, rejected_csv="runs/run-1-news-rejected.csv"))
    assert sentence == ("Sent 1 contact; SendGrid confirmed it. 1 row without a usable email "
                        "was set aside; runs/run-1-news-rejected.csv lists it.")


def test_rows_set_aside_by_sgtui_do_not_make_a_run_partial() -> None:
    status, sentence = outcome(RunFacts(RunCounts(valid=10, uploaded=10, invalid_email=4)))
    assert status is RunStatus.SUCCEEDED
    assert "4 rows without a usable email were set aside." in sentence


def test_refused_contacts_make_it_partial_and_point_at_the_file() -> None:
    counts = RunCounts(valid=100, uploaded=100, rejected_by_sendgrid=3, removed=2)
    status, sentence = outcome(RunFacts(counts, rejected_csv="r.csv"))
    assert status is RunStatus.PARTIAL
    assert sentence == ("Sent 100 contacts, but SendGrid refused 3; the rejected-rows file "
                        "(r.csv) names them. Removed 2 people who left the segments.")


def test_an_unfinished_job_alone_makes_it_partial() -> None:
    status, _ = outcome(RunFacts(RunCounts(valid=5, uploaded=5), job_problems=1))
    assert status is RunStatus.PARTIAL


def test_nothing_changed_and_nothing_to_send_read_differently() -> None:
    _, unchanged = outcome(RunFacts(RunCounts(valid=7, unchanged=7)))
    assert unchanged == ("Nothing changed: SendGrid already has all 7 contacts, so nothing was "
                         "sent.")
    _, empty = outcome(RunFacts(RunCounts(missing_email=2)))
    assert empty.startswith("Nothing to send: the segments hold no contact with a usable email.")


def test_a_dry_run_says_what_it_would_do() -> None:
    facts = RunFacts(RunCounts(valid=50, unchanged=20), dry_run=True, would_remove=3)
    status, sentence = outcome(facts)
    assert status is RunStatus.SUCCEEDED
    assert sentence == ("Dry run: would send 30 of 50 contacts (20 unchanged) and remove 3 who "
                        "left the segments; nothing was sent.")


def test_notes_close_the_sentence() -> None:
    facts = RunFacts(RunCounts(valid=2, uploaded=2), notes=("It finished the interrupted run 4.",))
    assert outcome(facts)[1].endswith("them all. It finished the interrupted run 4.")


def test_cancel_says_how_far_sendgrid_got() -> None:
    assert cancel_sentence(RunCounts()).startswith("Cancelled before SendGrid accepted any")
    assert cancel_sentence(RunCounts(uploaded=4_000, batches=1, removed=1)) == (
        "Cancelled: SendGrid had accepted 4,000 contacts in 1 batch and had removed 1 person; "
        "the next run confirms them and sends the rest.")


def test_too_many_removals_names_the_flag_to_allow_them() -> None:
    assert "--allow-removals 1500" in too_many_removals(1_500, 1_000, dry=False)
    assert too_many_removals(2, 1_000, dry=True).startswith("This run would remove 2 people")


def test_an_unexpected_problem_names_its_kind_only() -> None:
    sentence = unexpected_sentence(KeyError("secret-ish detail"))
    assert "KeyError" in sentence and "secret-ish" not in sentence


def test_contacts_whose_answer_never_came_are_not_called_refused() -> None:
    status, sentence = outcome(RunFacts(RunCounts(valid=9, uploaded=9), job_problems=2,
                                        unconfirmed=6, rejected_csv="r.csv"))
    assert status is RunStatus.PARTIAL
    assert "refused" not in sentence and "names" not in sentence
    assert "SendGrid never confirmed 6 contacts" in sentence and "the next run checks" in sentence


def test_members_that_point_at_no_profile_are_not_counted_as_profiles(tmp_path) -> None:
    import sqlite3

    from sgtui.source.sqlite import SqliteSource

    path = tmp_path / "customers.db"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE profiles (customer_id TEXT PRIMARY KEY, email TEXT);"
        "CREATE TABLE segments (segment_id TEXT PRIMARY KEY, name TEXT, description TEXT);"
        "CREATE TABLE segment_members (segment_id TEXT, profile_id TEXT);"
        "INSERT INTO profiles VALUES ('p1', 'one@example.com');"
        "INSERT INTO segments VALUES ('s', 'S', '');")
    db.executemany("INSERT INTO segment_members VALUES ('s', ?)",
                   [("p1",)] + [(f"ghost{i}",) for i in range(500)])
    db.commit()
    db.close()
    source = SqliteSource(path)
    try:
        assert source.totals(["s"], None).profiles == 1  # what a run then reads
        assert sum(len(chunk) for chunk in source.stream_members(["s"], ["email"])) == 1
    finally:
        source.close()
