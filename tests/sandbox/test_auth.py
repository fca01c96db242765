"""Keys and scopes: 401 without a known key, 403 without the scope, ``GET /v3/scopes``."""

from __future__ import annotations

import httpx

from sgtui.sandbox import FULL_ACCESS_SCOPES, SandboxServer

from .helpers import READ_ONLY_KEY, client_for


def test_missing_or_unknown_key_answers_401_with_sendgrids_body(server: SandboxServer) -> None:
    for key in (None, "SG.wrong"):
        with client_for(server, key) as anonymous:
            response = anonymous.get("/v3/marketing/lists")
        assert response.status_code == 401
        assert response.json() == {"errors": [{"field": None,
                                               "message": "authorization required"}]}
        assert response.headers["X-RateLimit-Limit"] == "600"


def test_a_revoked_key_gets_sendgrids_revoked_message(server: SandboxServer) -> None:
    server.add_api_key("SG.short-lived", FULL_ACCESS_SCOPES)
    with client_for(server, "SG.short-lived") as client:
        assert client.get("/v3/scopes").status_code == 200
        server.revoke_api_key("SG.short-lived")
        response = client.get("/v3/scopes")
    assert response.status_code == 401
    assert "revoked" in response.json()["errors"][0]["message"]


def test_scopes_lists_the_calling_keys_scopes(server: SandboxServer, api: httpx.Client) -> None:
    assert set(api.get("/v3/scopes").json()["scopes"]) == FULL_ACCESS_SCOPES
    with client_for(server, READ_ONLY_KEY) as reader:
        assert reader.get("/v3/scopes").json() == {"scopes": ["marketing.read"]}


def test_reading_needs_marketing_read_and_writing_marketing_write(server: SandboxServer) -> None:
    server.add_api_key("SG.mail-only", {"mail.send"})
    with client_for(server, "SG.mail-only") as mailer:
        assert mailer.get("/v3/scopes").status_code == 200
        forbidden = mailer.get("/v3/marketing/lists")
        assert forbidden.status_code == 403
        assert forbidden.json()["errors"][0]["message"] == "access forbidden"
    with client_for(server, READ_ONLY_KEY) as reader:
        assert reader.get("/v3/marketing/lists").status_code == 200
        assert reader.get("/v3/marketing/field_definitions").status_code == 200
        assert reader.post("/v3/marketing/lists", json={"name": "x"}).status_code == 403
        upsert = reader.put("/v3/marketing/contacts", json={"contacts": [{"email": "a@b.co"}]})
        assert upsert.status_code == 403


def test_generated_key_looks_like_a_real_one() -> None:
    with SandboxServer() as server:
        (key, scopes), = server.api_keys.items()
        assert key.startswith("SG.") and len(key) == 69 and key.count(".") == 2
        assert scopes == FULL_ACCESS_SCOPES
        with client_for(server, key) as client:
            assert client.get("/v3/scopes").status_code == 200


def test_a_seed_makes_the_generated_key_repeatable() -> None:
    first, second = SandboxServer(seed=5), SandboxServer(seed=5)
    assert first.api_keys == second.api_keys
    assert SandboxServer(seed=6).api_keys != first.api_keys


def test_sandbox_paths_need_no_key(server: SandboxServer) -> None:
    response = httpx.get(f"{server.base_url}/_sandbox/stats")
    assert response.status_code == 200
    assert "X-RateLimit-Limit" not in response.headers
