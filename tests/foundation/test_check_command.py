"""`sgtui check` explains every broken workspace in a sentence, with exit 2 and no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from sgtui.cli import main
from sgtui.source.demo import generate_demo_database

GOOD = """\
version = 1

[access]
admins = ["alice"]
contributors = ["bob"]

[source]
type = "sqlite"
path = "customers.db"

[connections.marketing]
type = "sendgrid"
display_name = "Marketing SendGrid"
usable_by = "admins"
base_url = "https://api.sendgrid.com"
export_users = ["alice"]
consent = { accepted_by = "alice", accepted_at = 2026-11-28T10:00:00Z }

[exports.spring]
connection = "marketing"
list_id = "6b1a3b7c"
segments = ["high-value", "newsletter-optin"]
schedule = "refresh"
mode = "upsert"

[exports.spring.mapping]
email = "email"
first_name = "first_name"
"""


@pytest.fixture(scope="module")
def customers_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_demo_database(tmp_path_factory.mktemp("data") / "customers.db", 300, seed=3)


def run_check(tmp_path: Path, text: str, customers_db: Path | None,
              capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    folder = tmp_path / "ws"
    folder.mkdir(exist_ok=True)
    (folder / "sgtui.toml").write_text(text)
    if customers_db is not None:
        (folder / "customers.db").write_bytes(customers_db.read_bytes())
    code = main(["check", "--workspace", str(folder)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_a_good_workspace_passes_with_a_summary(tmp_path, customers_db, capsys) -> None:
    code, out, _ = run_check(tmp_path, GOOD, customers_db, capsys)
    assert code == 0
    assert "OK" in out
    assert "6 segments" in out
    assert "exports: 1 (1 scheduled)" in out


BROKEN = [
    ("toml-syntax", GOOD.replace("[access]", "[access"),
     "is not valid TOML on line 3"),
    ("unknown-connection", GOOD.replace('connection = "marketing"', 'connection = "marketting"'),
     "exports.spring.connection: no connection is called 'marketting'; known: marketing."),
    ("unknown-column", GOOD.replace('first_name = "first_name"', 'first_name = "firstname"'),
     "exports.spring.mapping.first_name: the profiles table has no column 'firstname'"),
    ("missing-email", GOOD.replace('email = "email"\n', ""),
     "exports.spring.mapping: has no email"),
    ("unknown-segment", GOOD.replace('"newsletter-optin"]', '"newsleter"]'),
     "the segment 'newsleter' does not exist in the customer data"),
    ("bad-usable-by", GOOD.replace('usable_by = "admins"', 'usable_by = "everyone"'),
     "connections.marketing.usable_by: 'everyone' is not allowed here; "
     'use "admins" or "admins_and_contributors".'),
    ("bad-schedule", GOOD.replace('schedule = "refresh"', 'schedule = "weekly"'),
     "exports.spring.schedule: 'weekly' is not allowed here"),
    ("bad-mode", GOOD.replace('mode = "upsert"', 'mode = "sync"'),
     "exports.spring.mode: 'sync' is not allowed here"),
    ("duplicate-display-name", GOOD + """
[connections.other]
type = "sendgrid"
display_name = "marketing sendgrid"
""", "another connection is also called"),
    ("duplicate-export", GOOD + '\n[exports.spring]\nlist_id = "x"\n',
     "[exports.spring] is declared twice; every connection and export needs its own name"),
    ("duplicate-admin", GOOD.replace('admins = ["alice"]', 'admins = ["alice", "alice"]'),
     "access.admins: names 'alice' 2 times"),
]


@pytest.mark.parametrize(("case", "text", "sentence"), BROKEN, ids=[c[0] for c in BROKEN])
def test_each_broken_workspace_is_explained(tmp_path, customers_db, capsys, case, text,
                                             sentence) -> None:
    code, _, err = run_check(tmp_path, text, customers_db, capsys)
    assert code == 2
    assert sentence in err


def test_a_missing_source_database_is_explained(tmp_path, capsys) -> None:
    code, _, err = run_check(tmp_path, GOOD, None, capsys)
    assert code == 2
    assert "source.path: the customer database" in err
    assert "does not exist" in err


def test_problems_name_their_line(tmp_path, customers_db, capsys) -> None:
    text = GOOD.replace('schedule = "refresh"', 'schedule = "weekly"')
    line = text.splitlines().index('schedule = "weekly"') + 1
    _, _, err = run_check(tmp_path, text, customers_db, capsys)
    assert f"line {line}, exports.spring.schedule" in err


def test_no_workspace_at_all_is_a_usage_error(tmp_path, capsys) -> None:
    code = main(["check", "--workspace", str(tmp_path / "nowhere")])
    assert code == 2
    assert "There is no sgtui.toml" in capsys.readouterr().err


def test_version_and_help(capsys) -> None:
    from sgtui import __version__

    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert __version__ in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--help"])
    help_text = capsys.readouterr().out
    for command in ("demo", "sandbox", "run", "refresh", "check", "import"):
        assert command in help_text


@pytest.mark.parametrize(("base_url", "said"), [
    ("http://api.sendgrid.com", "will not send the API key over plain http:// to "
                                "api.sendgrid.com"),
    ("http://sendgrid.localhost:8080", "will not send the API key over plain http:// to "
                                       "sendgrid.localhost"),
    ("http://[::ffff:10.0.0.1]", "will not send the API key over plain http://"),
    ("https://alice:hunter2@api.sendgrid.com", "carries a user name, password, query or "
                                               "fragment"),
    ("https://api.sendgrid.com/?token=1", "carries a user name, password, query or fragment"),
    ("ftp://api.sendgrid.com", "is not a web address sgtui can use"),
])
def test_check_refuses_the_base_url_a_run_would_refuse(
        tmp_path, customers_db, capsys, base_url: str, said: str) -> None:
    from sgtui.sendgrid import SendGridClient, SendGridError
    from sgtui.workspace.secrets import ApiKey

    text = GOOD.replace('"https://api.sendgrid.com"', f'"{base_url}"')
    code, out, err = run_check(tmp_path, text, customers_db, capsys)
    assert code == 2 and "OK" not in out
    assert "connections.marketing.base_url: " in err and said in err
    assert "hunter2" not in err
    with pytest.raises(SendGridError) as refused:
        SendGridClient(ApiKey("SG.aaaaaaaa.bbbbbbbb"), base_url=base_url)
    assert refused.value.sentence in err


@pytest.mark.parametrize("base_url", ["http://127.0.0.1:8025", "http://localhost:9000",
                                      "http://[::1]:8080", "https://api.eu.sendgrid.com"])
def test_check_accepts_https_and_plain_http_to_this_computer(
        tmp_path, customers_db, capsys, base_url: str) -> None:
    text = GOOD.replace('"https://api.sendgrid.com"', f'"{base_url}"')
    code, out, _ = run_check(tmp_path, text, customers_db, capsys)
    assert code == 0 and "OK" in out
