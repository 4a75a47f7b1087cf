"""The server's disk cache (core/cache.py): written under XDG_CACHE_HOME while indexing, and
not at all with the initialization option `"noCache": true`."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.e2e.conftest import (
    copy_fixture,
    initialize_params,
    install_edit_handlers,
    server_command,
    wait_for_diagnostics,
)

READY = "supabase/migrations/003_wins_mood.sql"  # has diagnostics once indexing is done
HOME = Path(tempfile.mkdtemp(prefix="lockstep-e2e-cache-"))  # first the noCache session
atexit.register(shutil.rmtree, HOME, ignore_errors=True)


@pytest.fixture(scope="module")
def workspace_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_fixture("nav", tmp_path_factory.mktemp("cache"))


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=server_command(),
                              server_env={**os.environ, "XDG_CACHE_HOME": str(HOME)}),
    params=[True, False], scope="module",
)
async def client(lsp_client: LanguageClient, request: pytest.FixtureRequest,
                 workspace_root: Path) -> AsyncIterator[None]:
    install_edit_handlers(lsp_client)
    options = {"noCache": True} if request.param else {}
    await lsp_client.initialize_session(
        initialize_params("visual-studio-code", workspace_root, options))
    lsp_client.no_cache = request.param  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


async def test_the_server_caches_unless_told_not_to(client: LanguageClient,
                                                    workspace_root: Path) -> None:
    await wait_for_diagnostics(client, (workspace_root / READY).as_uri(), lambda d: len(d) > 0)
    stored = [p for p in (HOME / "lockstep").rglob("*") if p.is_file()]
    if client.no_cache:  # type: ignore[attr-defined]
        assert stored == []
    else:
        assert stored
