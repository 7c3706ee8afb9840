"""``head_commit`` agrees with git itself on branches, packed refs, detached HEADs and
worktrees."""

import subprocess

import pytest

from jupyterlab_runs.server.git import head_commit


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
