"""core/fs.py, the workspace boundary: what it reads, lists, walks and lets be created."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from lockstep.core.fs import Boundary, OutsideWorkspace, Refusal, create_exclusive


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path]:
    """root/ (the workspace) beside outside/ (a secret it must never read)."""
    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / "db").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.sql").write_text("secret")
    (root / "db" / "a.sql").write_text("inside")
    return root, outside


def test_reads_regular_files_inside_and_links_that_stay_inside(layout: tuple[Path, Path]) -> None:
    root, _ = layout
    os.symlink("db", root / "linked")
    os.symlink("a.sql", root / "db" / "alias.sql")
    boundary = Boundary(root)
    assert boundary.read(root / "db" / "a.sql") == b"inside"
    assert boundary.read(root / "linked" / "a.sql") == b"inside"
    assert boundary.read(root / "db" / "alias.sql") == b"inside"
    assert boundary.read(root / "missing.sql") is None
    assert boundary.read(root / "db") is None  # a folder is not a file, and not an attack


def test_links_outside_are_refused_not_read(layout: tuple[Path, Path]) -> None:
    root, outside = layout
    os.symlink(outside / "secret.sql", root / "db" / "abs.sql")
    os.symlink("../../outside/secret.sql", root / "db" / "rel.sql")
    os.symlink(outside, root / "out")
    os.symlink("/", root / "rootlink")
    boundary = Boundary(root)
    for path in (root / "db" / "abs.sql", root / "db" / "rel.sql", root / "out" / "secret.sql",
                 root / "rootlink" / "etc" / "passwd", root / ".." / "outside" / "secret.sql"):
        assert boundary.read(path) == Refusal.OUTSIDE, path
    assert boundary.files(root / "out") == Refusal.OUTSIDE
    assert boundary.files(root / "rootlink") == Refusal.OUTSIDE
    assert boundary.files(root / "db") == ["a.sql", "abs.sql", "rel.sql"]  # names, unread
    assert boundary.files(root / "nope") is None


def test_named_folders_may_lie_outside(layout: tuple[Path, Path]) -> None:
    root, outside = layout
    boundary = Boundary(root, [outside])
    assert boundary.read(outside / "secret.sql") == b"secret"
    assert boundary.read(root.parent / "elsewhere.sql") is None  # only what was named


def test_special_files_are_never_opened(layout: tuple[Path, Path]) -> None:
    root, _ = layout
    os.mkfifo(root / "db" / "fifo.sql")  # opening it for reading would block forever
    os.symlink(root / "db" / "fifo.sql", root / "db" / "to-fifo.sql")
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(root / "db" / "sock.sql"))
        boundary = Boundary(root)
        assert boundary.read(root / "db" / "fifo.sql") == Refusal.SPECIAL
        assert boundary.read(root / "db" / "to-fifo.sql") == Refusal.SPECIAL
        assert boundary.read(root / "db" / "sock.sql") == Refusal.SPECIAL
    assert Boundary(Path("/")).read(Path("/dev/zero")) == Refusal.SPECIAL  # a device, endless


def test_size_cap(layout: tuple[Path, Path]) -> None:
    root, _ = layout
    (root / "db" / "big.sql").write_bytes(b"x" * 2049)
    (root / "db" / "edge.sql").write_bytes(b"x" * 2048)
    boundary = Boundary(root, max_bytes=2048)
    assert boundary.read(root / "db" / "big.sql") == Refusal.TOO_LARGE
    assert boundary.read(root / "db" / "edge.sql") == b"x" * 2048
    assert boundary.too_large("x" * 2049) and not boundary.too_large("x" * 2048)
    assert boundary.too_large("é" * 1100)  # bytes count, not characters


def test_walk_follows_inside_links_once_and_reports_outside_ones(
    layout: tuple[Path, Path],
) -> None:
    root, outside = layout
    (root / "apps" / "web").mkdir(parents=True)
    (root / "apps" / "web" / "x.ts").write_text("")
    (root / "node_modules" / "m").mkdir(parents=True)
    (root / "node_modules" / "m" / "y.ts").write_text("")
    os.symlink("/", root / "apps" / "rootlink")
    os.symlink("..", root / "apps" / "up")  # the root itself: a loop
    os.symlink("../..", root / "apps" / "web" / "home")  # the root again
    os.symlink("../../..", root / "apps" / "web" / "above")  # above the root
    os.symlink(outside, root / "apps" / "out")
    os.symlink(outside / "secret.sql", root / "apps" / "secret.ts")
    os.symlink("web", root / "apps" / "alias")
    os.symlink("loop", root / "apps" / "loop")  # a link to itself
    reported: list[tuple[str, bool]] = []
    walked = list(Boundary(root).walk(lambda name: name == "node_modules",
                                      lambda path, is_dir: reported.append((path, is_dir))))
    files = [relative for relative, _ in walked]
    assert files == ["apps/web/x.ts", "db/a.sql"]  # by its own name, not the alias
    assert sorted(reported) == [("apps/out", True), ("apps/rootlink", True),
                                ("apps/secret.ts", False), ("apps/web/above", True)]


def test_creatable_stays_inside_the_root(layout: tuple[Path, Path]) -> None:
    root, outside = layout
    os.symlink(outside, root / "out")
    os.symlink("db", root / "linked")
    boundary = Boundary(root, [outside])  # a named folder is readable, never writable
    for relative in ("../x.sql", "/tmp/x.sql", "db/../../x.sql", "out/x.sql", "out/new/x.sql",
                     "db/..", ""):
        with pytest.raises(OutsideWorkspace):
            boundary.creatable(relative)
    assert boundary.creatable("linked/new/b.sql") == root.resolve() / "db" / "new" / "b.sql"


def test_create_exclusive_never_overwrites_nor_follows_a_planted_link(
    layout: tuple[Path, Path],
) -> None:
    root, outside = layout
    boundary = Boundary(root)
    created = create_exclusive(boundary, "supabase/migrations/001_a.sql", "-- a\n")
    assert created.read_text() == "-- a\n"
    with pytest.raises(FileExistsError):
        create_exclusive(boundary, "supabase/migrations/001_a.sql", "other")
    os.symlink(outside / "planted.sql", root / "db" / "002_b.sql")  # dangling, to outside
    with pytest.raises(FileExistsError):
        create_exclusive(boundary, "db/002_b.sql", "x")
    assert not (outside / "planted.sql").exists()
    os.symlink(outside, root / "supabase" / "out")
    with pytest.raises(OutsideWorkspace):
        create_exclusive(boundary, "supabase/out/003_c.sql", "x")
    assert sorted(p.name for p in outside.iterdir()) == ["secret.sql"]


def test_workspace_edits_never_create_or_rename_outside(layout: tuple[Path, Path]) -> None:
    """The WorkspaceEdit the server asks the editor to apply is checked like its own writes."""
    from lockstep.codeactions.edits import CreateFile, Edit, RenameFile
    from lockstep.protocol.features.commands import confine, workspace_edit
    from lockstep.protocol.server import LockstepServer

    root, outside = layout
    os.symlink(outside, root / "out")
    server = LockstepServer()
    confine(root, "db/b.sql")  # inside: no error
    for edit in (Edit("x", "quickfix", creates=(CreateFile("out/x.sql", ""),)),
                 Edit("x", "quickfix", renames=(RenameFile("db/a.sql", "out/a.sql"),)),
                 Edit("x", "quickfix", creates=(CreateFile("../x.sql", ""),))):
        with pytest.raises(OutsideWorkspace):
            workspace_edit(server, root, edit)
