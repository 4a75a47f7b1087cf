"""Skipping for a missing tool: allowed on a developer's machine, a failure in CI.

`.ci/run` sets LOCKSTEP_REQUIRE_TOOLS, so a clean machine on which an install step silently
failed cannot pass by skipping the tests that needed it.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def missing_tool(reason: str) -> NoReturn:
    if os.environ.get("LOCKSTEP_REQUIRE_TOOLS"):
        pytest.fail(f"required tool missing (LOCKSTEP_REQUIRE_TOOLS is set): {reason}")
    pytest.skip(reason)
