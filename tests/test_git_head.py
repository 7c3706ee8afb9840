"""``head_commit`` agrees with git itself on branches, packed refs, detached HEADs and
worktrees."""

import os
import subprocess

import pytest

from jupyterlab_runs.gitinfo import head_commit


def git(cwd, *args):
    return subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "nb").mkdir()
    (root / "nb" / "a.ipynb").write_text("{}")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "one")
    return root


def test_branch_head_in_a_subfolder(repo):
    assert head_commit(str(repo / "nb")) == git(repo, "rev-parse", "HEAD")


def test_packed_refs(repo):
    git(repo, "pack-refs", "--all")
    assert not (repo / ".git" / "refs" / "heads" / "main").exists()
    assert head_commit(str(repo)) == git(repo, "rev-parse", "HEAD")


def test_detached_head(repo):
    first = git(repo, "rev-parse", "HEAD")
    (repo / "b.txt").write_text("b")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "two")
    git(repo, "checkout", "-q", first)
    assert head_commit(str(repo)) == first


def test_worktree(repo, tmp_path):
    git(repo, "worktree", "add", "-q", str(tmp_path / "wt"), "-b", "feature")
    assert head_commit(str(tmp_path / "wt")) == git(tmp_path / "wt", "rev-parse", "HEAD")


def test_outside_a_repository_and_before_the_first_commit(tmp_path):
    assert head_commit(str(tmp_path)) is None
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    git(fresh, "init", "-q")
    assert head_commit(str(fresh)) is None


def test_a_gitdir_pointer_outside_any_git_directory_is_not_followed(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "refs" / "heads").mkdir(parents=True)
    (elsewhere / "HEAD").write_text("0123456789abcdef0123456789abcdef01234567\n")
    work = tmp_path / "work"
    work.mkdir()
    (work / ".git").write_text(f"gitdir: {elsewhere}\n")
    assert head_commit(str(work)) is None
    (work / ".git").write_text("gitdir: ../elsewhere\n")
    assert head_commit(str(work)) is None


def test_refs_that_climb_out_or_symlink_out_are_not_followed(repo, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text("0123456789abcdef0123456789abcdef01234567\n")
    (repo / ".git" / "HEAD").write_text("ref: refs/../../../outside/secret\n")
    assert head_commit(str(repo)) is None
    (repo / ".git" / "refs" / "heads" / "evil").symlink_to(outside / "secret")
    (repo / ".git" / "HEAD").write_text("ref: refs/heads/evil\n")
    assert head_commit(str(repo)) is None


def test_huge_and_special_files_are_not_read(repo):
    head = repo / ".git" / "HEAD"
    head.write_text("ref: refs/heads/main" + " " * 10_000_000 + "\n")
    assert head_commit(str(repo)) is None
    head.unlink()
    os.mkfifo(head)  # reading a FIFO would block the server forever
    assert head_commit(str(repo)) is None
