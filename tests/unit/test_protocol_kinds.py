"""Code action kinds filtered by `context.only`, whichever way the client spelled them."""

from __future__ import annotations

from lsprotocol import types as lsp

from lockstep.protocol.features.code_actions import _wanted


def test_only_matches_enum_and_plain_string_kinds() -> None:
    action = lsp.CodeAction(title="fix", kind=lsp.CodeActionKind.QuickFix)
    assert _wanted(action, ["quickfix"])
    assert _wanted(action, [lsp.CodeActionKind.QuickFix])
    assert not _wanted(action, ["refactor"])
    extract = lsp.CodeAction(title="x", kind=lsp.CodeActionKind.RefactorExtract)
    assert _wanted(extract, ["refactor"])
    assert _wanted(extract, None)
