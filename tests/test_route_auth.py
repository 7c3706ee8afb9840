"""Every route and verb the extension serves refuses whoever may not use it.

The routes come from the running server's own routing table (everything under
``jupyterlab-runs/api``: ``route_table()`` and every other route the extension registers), so a
route added later is checked without editing this file.
"""

from __future__ import annotations

import json
import re

import pytest
import tornado.web
from jupyter_server.auth import Authorizer
from tornado.routing import PathMatches

from jupyterlab_runs.server.handlers import API, route_table

VERBS = ("get", "post", "put", "patch", "delete")
SAMPLE = "abc123"  # fits every path parameter (run ids, experiment ids, keys, paths)
_GROUP = re.compile(r"\(\?P<\w+>(?:[^()]|\([^()]*\))*\)")


class DenyAll(Authorizer):
    """An authorizer that says no to everyone and everything."""

    def is_authorized(self, handler, user, action, resource):
        return False


@pytest.fixture
def deny_all():
    return False


@pytest.fixture
def jp_server_config(jp_server_config, deny_all):
    if deny_all:
        jp_server_config["ServerApp"]["authorizer_class"] = DenyAll
    return jp_server_config


def _handlers(router):
    for rule in getattr(router, "rules", []):
        if isinstance(rule.target, type) and issubclass(rule.target, tornado.web.RequestHandler):
            yield rule.matcher, rule.target
        else:
            yield from _handlers(rule.target)


def endpoints(web_app):
    """(verb, concrete URL path) of every verb of every route under jupyterlab-runs/api."""
    found = []
    for matcher, handler in _handlers(web_app.default_router):
        if not isinstance(matcher, PathMatches) or API not in matcher.regex.pattern:
            continue
        path = _GROUP.sub(SAMPLE, matcher.regex.pattern).rstrip("$")
        assert matcher.regex.fullmatch(path), matcher.regex.pattern
        for verb in VERBS:
            if getattr(handler, verb) is not getattr(tornado.web.RequestHandler, verb):
                found.append((verb.upper(), path))
    return found


async def fetch(client, verb, path, headers=None):
    body = "{}" if verb in ("POST", "PUT", "PATCH") else None
    response = await client.fetch(
        path,
        method=verb,
        body=body,
        headers=headers or {},
        raise_error=False,
        allow_nonstandard_methods=True,
        follow_redirects=False,
    )
    return response


def test_the_table_covers_route_table(jp_web_app):
    every = endpoints(jp_web_app)
    # route_table() alone has 10 routes and 15 verbs; the bulk and scan routes come on top.
    assert len({path for _, path in every}) >= len(route_table())
    assert len(every) >= 15


async def test_without_credentials_every_verb_is_refused(jp_web_app, http_server_client):
    refused = {}
    for verb, path in endpoints(jp_web_app):
        response = await fetch(http_server_client, verb, path)
        refused[(verb, path)] = response.code
    assert refused and all(code in (401, 403) for code in refused.values()), refused


@pytest.mark.parametrize("deny_all", [True])
async def test_a_deny_all_authorizer_refuses_every_verb(
    jp_web_app, http_server_client, jp_auth_header
):
    codes = {}
    for verb, path in endpoints(jp_web_app):
        response = await fetch(http_server_client, verb, path, jp_auth_header)
        codes[(verb, path)] = response.code
    assert codes and all(code == 403 for code in codes.values()), codes


async def test_cookie_authenticated_writes_need_the_xsrf_token(
    jp_web_app, http_server_client, jp_auth_header, jp_base_url
):
    # A token-authenticated request hands out the login cookie a browser would hold.
    login = await http_server_client.fetch(
        jp_base_url + API + "/experiments", headers=jp_auth_header
    )
    cookie = "; ".join(c.split(";")[0] for c in login.headers.get_list("Set-Cookie"))
    assert cookie
    reads = await fetch(
        http_server_client, "GET", jp_base_url + API + "/experiments", {"Cookie": cookie}
    )
    assert reads.code == 200  # the cookie alone authenticates
    codes = {}
    for verb, path in endpoints(jp_web_app):
        if verb != "GET":
            response = await fetch(http_server_client, verb, path, {"Cookie": cookie})
            codes[(verb, path)] = response.code
    assert codes and all(code == 403 for code in codes.values()), codes
    # With the token a page would carry, the same cookie may write: the 403s were the XSRF check.
    page = await http_server_client.fetch(jp_base_url + "login")  # the login page sets one
    xsrf = next(
        c.split(";")[0].split("=", 1)[1]
        for c in page.headers.get_list("Set-Cookie")
        if c.startswith("_xsrf=")
    )
    headers = {"Cookie": f"{cookie}; _xsrf={xsrf}", "X-XSRFToken": xsrf}
    created = await http_server_client.fetch(
        jp_base_url + API + "/experiments",
        method="POST",
        body=json.dumps({"name": "written with a cookie"}),
        headers=headers,
        raise_error=False,
    )
    assert created.code == 201
