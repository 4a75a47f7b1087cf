"""The server's disk cache (core/cache.py): written under XDG_CACHE_HOME while indexing, and
not at all with the initialization option `"noCache": true`."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from tests.e2e.conftest import (
    VSCODE,
    client_fixture,
    initialize_params,
    wait_for_diagnostics,
    workspace_fixture,
)

READY = "supabase/migrations/003_wins_mood.sql"  # has diagnostics once indexing is done
HOME = Path(tempfile.mkdtemp(prefix="lockstep-e2e-cache-"))  # first the noCache session
atexit.register(shutil.rmtree, HOME, ignore_errors=True)


def _init(client: LanguageClient, no_cache: bool,
          request: pytest.FixtureRequest) -> lsp.InitializeParams:
    client.no_cache = no_cache  # type: ignore[attr-defined]
    options = {"noCache": True} if no_cache else {}
    return initialize_params(VSCODE, request.getfixturevalue("workspace_root"), options)


workspace_root = workspace_fixture("nav")
client = client_fixture(_init, params=[True, False], env={"XDG_CACHE_HOME": str(HOME)})


async def test_the_server_caches_unless_told_not_to(client: LanguageClient,
                                                    workspace_root: Path) -> None:
    await wait_for_diagnostics(client, (workspace_root / READY).as_uri(), lambda d: len(d) > 0)
    stored = [p for p in (HOME / "lockstep").rglob("*") if p.is_file()]
    if client.no_cache:  # type: ignore[attr-defined]
        assert stored == []
    else:
        assert stored
