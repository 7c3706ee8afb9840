"""A run's user is set by the server from the authenticated identity, never from the body,
and reads as a person expects (not the 32-hex id jupyter_server makes up for a token)."""

from __future__ import annotations

import getpass

import pytest
from jupyter_server.auth.identity import IdentityProvider, User
from test_handlers import call, run_payload


class NamedUsers(IdentityProvider):
    """Token holders are Alice, as a deployment with real accounts would say."""

    def generate_anonymous_user(self, handler):
        return User("alice", name="Alice Liddell", display_name="Alice")


@pytest.fixture
def named():
    return False


@pytest.fixture
def jp_server_config(jp_server_config, named):
    if named:
        jp_server_config["ServerApp"]["identity_provider_class"] = NamedUsers
    return jp_server_config


async def test_a_shared_token_records_the_os_login_not_the_body(jp_fetch):
    _, run = await call(jp_fetch, "runs", method="POST", body=run_payload(user="mallory"))
    assert run["user"] == getpass.getuser()
    _, stored = await call(jp_fetch, "runs", run["id"])
    assert stored["user"] == getpass.getuser()


@pytest.mark.parametrize("named", [True])
async def test_a_named_identity_records_its_display_name(jp_fetch):
    _, run = await call(jp_fetch, "runs", method="POST", body=run_payload(user="mallory"))
    assert run["user"] == "Alice"
