"""The authorization matrix: every route, role and own or foreign object, generated, failing on any leak.

Routes come from the URL conf (`get_resolver()`: the public site, the portal, the console, the
root addresses and Django's admin) and from the OpenAPI document of the API. Path parameters are
filled with ids from the fixture world (`tests/security/world.py`): organization A's objects are
the clients' own, B's the foreign ones; for staff, A's request is assigned to the level-1
technician and B's to someone else. What each case must answer comes from one rule per route
family, narrowed for the web by the access decorator the view declares (a console view behind
`manager_required` is for managers), plus the short table of exceptions below.

A leak is: a marker of B's data or of an internal note in an answer to a client of A, any private
marker in an answer to an anonymous visitor, a staff page or a foreign object answering a
client, or a write that succeeds where the rule says it must be refused. A route of a family no
rule knows fails the test: add its rule here. A path parameter the world has no object for is
filled with an id that names nothing (refusals and leaks are still checked) and listed in the
output: add the object to tests/security/world.py.

Run on its own (`-m security`); CI prints the number of cases.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from enum import Enum
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from soutien.api.v1 import api
from tests.security.world import (
    CLIENTS,
    FOREIGN_MARK,
    MANAGERS,
    NOTE_MARK,
    OWN_MARK,
    ROLES,
    STAFF,
    World,
    build,
    signed_in_client,
)

pytestmark = pytest.mark.security


class Expect(Enum):
    ALLOW = "allow"  # a read answers (2xx, or a redirect that is not a refusal); a write: no 5xx
    DENY = "deny"  # refused: sign in, 401, 403, 404, 405, or sent back to one's own site
    MAYBE = "maybe"  # the service decides (a refusal or a success); never a 5xx, never a leak
    OPEN = "open"  # public: anyone, never a 5xx, never a leak


# Path parameters whose object belongs to an organization: those routes run with A's and B's.
SCOPED = frozenset(
    {
        "ticket_id",
        "attachment_id",
        "message_id",
        "organization_id",
        "bank_id",
        "entry_id",
        "agreement_id",
        "milestone_id",
        "number",
        "training_id",
        "session_id",
        "token_id",
        "user_id",
    }
)

# Where a route's parameter is named differently from the world's kind of object.
ALIASES = {"object_id": "ticket_id", "content_type_id": "number", "other_id": "ticket_id"}

# --- Exceptions: small, each with its reason. (route name or API "METHOD path", role) -> Expect.
WEB_EXCEPTIONS: dict[tuple[str, str | None], Expect] = {
    # Sign-out and the language switch redirect everyone, signed in or not.
    ("public:logout", None): Expect.OPEN,
    # The portal's agreements and training pages of the contact: the demo's agreement and
    # training request of A were filed by the client administrator, not by this contact.
    ("portal:agreement", "contact"): Expect.MAYBE,
    ("portal:agreement_document", "contact"): Expect.MAYBE,
    ("portal:training", "contact"): Expect.MAYBE,
    ("portal:session_invitation", "contact"): Expect.MAYBE,
}
# Root addresses anyone may open: the health check, the language switch, the icon.
PUBLIC_ROOT = frozenset({"root:healthz", "root:set_language", "root:favicon"})
# Console views whose answer is a redirect to another console page (not a refusal).
CONSOLE_REDIRECTS = frozenset({"console:ticket_next"})  # the next request of the queue
API_EXCEPTIONS: dict[tuple[str, str | None], Expect] = {}


# --- The web: walk the URL conf -----------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    kind: str  # "web" or "api"
    family: str
    name: str
    template: str  # the path with {param} placeholders
    params: tuple[str, ...]
    methods: tuple[str, ...]
    declared: frozenset[str] = frozenset()
    secured: bool = True  # API: the operation needs a token
    body: Any = None  # API: an example body from the schema


_PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")
_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^)]*)\)")


def _declared_access(view: Any) -> frozenset[str]:
    """The access checks a view declares through web/access.py and Django's decorators."""
    found: set[str] = set()
    seen: set[int] = set()
    stack = [view]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        for cell in getattr(current, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if not callable(value):
                continue
            qualname = getattr(value, "__qualname__", "")
            if qualname in ("_client", "_client_admin", "_staff"):
                found.add(qualname.strip("_"))
            elif qualname.startswith("manager_required."):
                found.add("manager")
            stack.append(value)
        wrapped = getattr(current, "__wrapped__", None)
        if wrapped is not None:
            stack.append(wrapped)
    return frozenset(found)


def _regex_to_template(regex: str) -> str:
    text = regex.lstrip("^").rstrip("$").replace("\\Z", "")

    def group(match: re.Match[str]) -> str:
        name, body = match["name"], match["body"]
        if "|" in body or body.isalnum():
            return "{{{}={}}}".format(name, body.split("|")[0])  # an app label: its first choice
        return f"{{{name}}}"

    return _GROUP.sub(group, text)


def _web_family(namespace: str, name: str, raw: str) -> str:
    if namespace in ("public", "portal", "console", "admin"):
        return namespace
    if raw.startswith("admin/"):
        return "admin"  # the admin's own addresses kept at the root (its sign-in redirect)
    return f"root:{name}"


def web_routes() -> list[Route]:
    routes: list[Route] = []

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern).startswith("api/"):
                    continue  # the API is walked through its OpenAPI document
                inner = pattern.namespace or namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
                continue
            assert isinstance(pattern, URLPattern)
            raw = prefix + str(pattern.pattern)
            if raw.startswith("^") or "(?P<" in raw or raw.endswith("$"):
                template = _regex_to_template(raw)
            else:
                template = _PARAM.sub(lambda m: "{{{}}}".format(m["name"]), raw)
            template = "/" + template.lstrip("/")
            params = tuple(
                p.split("=")[0] for p in re.findall(r"\{([^}]+)\}", template) if "=" not in p
            )
            template = re.sub(r"\{\w+=([^}]*)\}", r"\1", template)
            name = f"{namespace}:{pattern.name}" if namespace else (pattern.name or raw)
            routes.append(
                Route(
                    kind="web",
                    family=_web_family(namespace, pattern.name or raw, raw),
                    name=name,
                    template=template,
                    params=params,
                    methods=("GET", "POST"),
                    declared=_declared_access(pattern.callback),
                )
            )

    walk(get_resolver().url_patterns, "", "")
    return routes


def web_rule(route: Route, role: str, variant: str, method: str) -> Expect:
    for key in ((route.name, role), (route.name, None)):
        if key in WEB_EXCEPTIONS:
            return WEB_EXCEPTIONS[key]
    anonymous, client, staff = role == "anonymous", role in CLIENTS, role in STAFF
    if route.family == "public" or route.family in PUBLIC_ROOT:
        return Expect.OPEN
    if route.family == "portal":
        assert not route.declared & {"staff", "manager"}, (
            f"{route.name}: a staff check in the portal"
        )
        if anonymous or staff or variant == "B":
            return Expect.DENY
        if "client_admin" in route.declared and role != "client_admin":
            return Expect.DENY
        return Expect.ALLOW if method == "GET" else Expect.MAYBE
    if route.family == "console":
        assert not route.declared & {"client", "client_admin"}, f"{route.name}: a client check"
        if anonymous or client:
            return Expect.DENY
        if "manager" in route.declared and role not in MANAGERS:
            return Expect.DENY
        if route.name in CONSOLE_REDIRECTS:
            return Expect.MAYBE
        return Expect.ALLOW if method == "GET" else Expect.MAYBE
    if route.family == "admin":
        if route.name in ("admin:login", "admin:logout", "admin/login/"):
            return Expect.OPEN
        return Expect.MAYBE if role == "admin" else Expect.DENY
    if route.family == "root:download":
        if anonymous or (client and variant == "B"):
            return Expect.DENY
        return Expect.ALLOW if method == "GET" else Expect.MAYBE
    pytest.fail(
        f"No authorization rule for the web route {route.name} ({route.template}, family "
        f"{route.family}): add one to web_rule() in {__file__}"
    )


# --- The API: walk the OpenAPI document ---------------------------------------------------------


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def example(schema: dict[str, Any], components: dict[str, Any], depth: int = 0) -> Any:
    """A plausible value for a JSON schema: required fields only, first choices, sane dates."""
    schema = _resolve(schema, components)
    if depth > 6:
        return None
    for combined in ("anyOf", "oneOf", "allOf"):
        if combined in schema:
            options = [s for s in schema[combined] if _resolve(s, components).get("type") != "null"]
            return example(options[0], components, depth + 1) if options else None
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        return {
            key: example(properties[key], components, depth + 1)
            for key in schema.get("required", [])
            if key in properties
        }
    if kind == "array":
        return []
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), 1)
    if kind == "number":
        return 1
    if kind == "boolean":
        return True
    fmt = schema.get("format")
    if fmt == "date":
        return "2026-12-01"
    if fmt == "date-time":
        return "2026-12-01T10:00:00-05:00"
    if fmt == "email":
        return "matrice@example.com"
    return "matrice"


def api_routes() -> list[Route]:
    document = api.get_openapi_schema()
    components = document.get("components", {}).get("schemas", {})
    routes = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            body = None
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                body = example(content["application/json"]["schema"], components)
            relative = path.removeprefix("/api/v1")
            segments = [s for s in relative.split("/") if s and not s.startswith("{")]
            routes.append(
                Route(
                    kind="api",
                    family=segments[0] if segments else "",
                    name=f"{method.upper()} {relative}",
                    template=path,
                    params=tuple(re.findall(r"\{(\w+)\}", path)),
                    methods=(method.upper(),),
                    secured=bool(operation.get("security")),
                    body=body,
                )
            )
    return routes


# Per API family: what a client may do with its own organization's objects, by reads and writes
# (a foreign object is always refused), and what staff may do. Writes by staff are MAYBE: which
# staff role may write what is each service's check, tested with the service.
_R, _W = "read", "write"
API_FAMILIES: dict[str, dict[str, Expect]] = {
    # tokens and "me": everyone signed in, for themselves
    "auth": {_R: Expect.ALLOW, _W: Expect.MAYBE},
    "organizations": {_R: Expect.MAYBE, _W: Expect.MAYBE},
    "plans": {_R: Expect.MAYBE, _W: Expect.DENY},
    "tickets": {_R: Expect.MAYBE, _W: Expect.MAYBE},
    "attachments": {_R: Expect.ALLOW, _W: Expect.DENY},
    "time-entries": {_R: Expect.DENY, _W: Expect.DENY},
    "agreements": {_R: Expect.MAYBE, _W: Expect.MAYBE},
    "newsletter": {_R: Expect.DENY, _W: Expect.DENY},
    "training-requests": {_R: Expect.MAYBE, _W: Expect.MAYBE},
    "sessions": {_R: Expect.MAYBE, _W: Expect.MAYBE},
    "rooms": {_R: Expect.MAYBE, _W: Expect.DENY},
    "time-off": {_R: Expect.DENY, _W: Expect.DENY},
    "calendar-feeds": {_R: Expect.MAYBE, _W: Expect.MAYBE},
    # staff's canned answers (a client's GET answers 200: to look at, see the report of issue 17)
    "macros": {_R: Expect.MAYBE, _W: Expect.DENY},
    # saved views of a queue or a list
    "views": {_R: Expect.MAYBE, _W: Expect.MAYBE},
    # Law 25: exports, the incident register, retention (staff); a person's record (users)
    "privacy": {_R: Expect.MAYBE, _W: Expect.MAYBE},
    "users": {_R: Expect.MAYBE, _W: Expect.MAYBE},
    "reports": {_R: Expect.MAYBE, _W: Expect.DENY},
    # naming the person in charge of personal information (reading it is public)
    "privacy-officer": {_R: Expect.MAYBE, _W: Expect.DENY},
}
# Families whose reads are for managers among staff (the service refuses other staff with 403).
MANAGERS_ONLY_FAMILIES = frozenset({"privacy", "reports", "users", "privacy-officer"})
# Writes of a client that must be refused even on its own organization (path suffixes).
CLIENT_FORBIDDEN_WRITES = (
    "/contracts",
    "/subscriptions",
    "/time-entries",
    "/delegates",
    "/settings",
    "/held",
    "/no-show",
    "/slots",
    "/teleconferences",
    "/incidents",
    "/retention/runs",
)


def api_rule(route: Route, role: str, variant: str, method: str) -> Expect:
    for key in ((route.name, role), (route.name, None)):
        if key in API_EXCEPTIONS:
            return API_EXCEPTIONS[key]
    if not route.secured:
        return Expect.OPEN
    if route.family not in API_FAMILIES:
        pytest.fail(
            f"No authorization rule for the API family '{route.family}' ({route.name}): add it to "
            f"API_FAMILIES in {__file__}"
        )
    if role == "anonymous":
        return Expect.DENY
    write = method != "GET"
    if route.params and "token_id" in route.params:
        # Another person's token: only an administrator may revoke it.
        return Expect.MAYBE if variant == "A" or role == "admin" else Expect.DENY
    if role in STAFF:
        if route.family in MANAGERS_ONLY_FAMILIES and role not in MANAGERS:
            return Expect.MAYBE  # which staff role may read these is the service's check
        return Expect.MAYBE if write else Expect.ALLOW
    if variant == "B":
        return Expect.DENY
    if write and route.template.endswith(CLIENT_FORBIDDEN_WRITES):
        return Expect.DENY
    return API_FAMILIES[route.family][_W if write else _R]


# --- Running the cases --------------------------------------------------------------------------

DENIALS_API = {401, 403, 404, 405}
VALIDATION = {400, 422}


@dataclass
class Outcome:
    route: Route
    role: str
    variant: str
    method: str
    expect: Expect
    status: int
    problem: str = ""


PLACEHOLDERS: set[str] = set()


def _placeholder(route: Route, world: World) -> bool:
    return any(ALIASES.get(p, p) not in world.ids for p in route.params)


def _fill(route: Route, world: World, role: str, variant: str) -> str | None:
    path = route.template
    for param in route.params:
        kind = ALIASES.get(param, param)
        if kind == "token_id" and variant == "A":
            value: int | str = world.own_token_ids.get(role, 0)
        else:
            known = world.ids.get(kind)
            if known is None:
                # A parameter the world has no object for (a route added since): the case still
                # runs with an id that names nothing, so refusals and leaks are still checked.
                PLACEHOLDERS.add(f"{param} ({route.name})")
                value = 987654 if param.endswith("_id") else "matrice"
            else:
                value = known.get(variant, known.get("-", ""))
        path = path.replace(f"{{{param}}}", str(value))
    return path


def _variants(route: Route) -> tuple[str, ...]:
    return ("A", "B") if SCOPED & {ALIASES.get(p, p) for p in route.params} else ("-",)


def _content(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


# Random CSRF tokens (62 letters and digits) hold a marker's three letters now and then.
CSRF_TOKEN = re.compile(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[A-Za-z0-9]+')


def _leak(role: str, content: bytes) -> str:
    text = CSRF_TOKEN.sub(r"\1", content.decode("utf-8", "replace"))
    forbidden = {
        "anonymous": (OWN_MARK, FOREIGN_MARK, NOTE_MARK),
        "contact": (FOREIGN_MARK, NOTE_MARK),
        "client_admin": (FOREIGN_MARK, NOTE_MARK),
    }.get(role, ())
    for marker in forbidden:
        if marker in text:
            at = text.index(marker)
            return f"leak: {marker!r} in the answer (…{text[max(0, at - 80) : at + 20]!r})"
    return ""


def _refused_web(response: Any, role: str, path: str) -> bool:
    if response.status_code in (403, 404, 405):
        return True
    if response.status_code in (301, 302, 303):
        target = response.get("Location", "")
        if "/connexion/" in target or "/admin/login/" in target:
            return True
        if role in STAFF and target.startswith("/console/") and target.split("?")[0] != path:
            return True
        if role in CLIENTS and target.startswith("/portail/") and target.split("?")[0] != path:
            return True
    return False


def _judge(route: Route, role: str, method: str, path: str, expect: Expect, response: Any) -> str:
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    leak = _leak(role, _content(response))
    if leak:
        return leak
    if route.kind == "web":
        refused = _refused_web(response, role, path)
    else:
        refused = status in DENIALS_API or (method != "GET" and status in VALIDATION)
    if expect is Expect.DENY and not refused:
        return f"should be refused, answered {status} {response.get('Location', '')}".strip()
    if expect is Expect.ALLOW and method == "GET" and (refused and status != 405):
        return f"should be allowed, answered {status} {response.get('Location', '')}".strip()
    return ""


def _request(client: Client, route: Route, method: str, path: str, headers: dict[str, str]):
    kwargs: dict[str, Any] = {"headers": headers}
    if route.kind == "api" and method != "GET" and route.body is not None:
        kwargs["data"] = json.dumps(route.body)
        kwargs["content_type"] = "application/json"
    with transaction.atomic():
        try:
            response = client.generic(method, path, **kwargs)
        except Exception as error:
            response = type("Crash", (), {"status_code": 500, "error": repr(error)})()
        transaction.set_rollback(True)
    return response


def run_matrix(world: World, only: str = "") -> tuple[list[Outcome], Counter[str]]:
    routes = [r for r in web_routes() + api_routes() if only in r.template]
    clients: dict[str, Client] = {}
    for role in ROLES:
        clients[role] = signed_in_client(world.users[role])
    outcomes: list[Outcome] = []
    counts: Counter[str] = Counter()
    for route in routes:
        for method in route.methods:
            for variant in _variants(route):
                for role in ROLES:
                    rule = web_rule if route.kind == "web" else api_rule
                    expect = rule(route, role, variant, method)
                    if expect is Expect.ALLOW and _placeholder(route, world):
                        expect = Expect.MAYBE  # no real object: "allowed" cannot be told
                    path = _fill(route, world, role, variant)
                    assert path is not None
                    headers = {}
                    if route.kind == "api" and role in world.tokens:
                        headers["Authorization"] = f"Bearer {world.tokens[role]}"
                    client = clients[role] if route.kind == "web" else Client()
                    if (
                        route.kind == "web"
                        and role != "anonymous"
                        and "_auth_user_id" not in (client.session)
                    ):
                        clients[role] = client = signed_in_client(world.users[role])
                    response = _request(client, route, method, path, headers)
                    problem = (
                        f"server error: {response.error}"
                        if hasattr(response, "error")
                        else _judge(route, role, method, path, expect, response)
                    )
                    counts[route.kind] += 1
                    counts[expect.value] += 1
                    outcomes.append(
                        Outcome(route, role, variant, method, expect, response.status_code, problem)
                    )
    return outcomes, counts


def test_no_role_reaches_what_it_must_not(db, capsys):
    world = build()
    outcomes, counts = run_matrix(world)
    failures = [o for o in outcomes if o.problem]
    with capsys.disabled():
        print(
            f"\nAuthorization matrix: {len(outcomes)} cases "
            f"({counts['web']} web, {counts['api']} API; {counts['deny']} must be refused, "
            f"{counts['allow']} allowed, {counts['maybe']} left to the service, "
            f"{counts['open']} public); {len(failures)} failures"
        )
        if PLACEHOLDERS:
            print(
                "  path parameters with no object in the world (add them to "
                f"tests/security/world.py): {', '.join(sorted(PLACEHOLDERS))}"
            )
        statuses = Counter(f"{o.expect.value} {o.status}" for o in outcomes)
        print(
            "  answers by expectation:", ", ".join(f"{k}: {n}" for k, n in sorted(statuses.items()))
        )
    assert len(outcomes) >= 1000
    report = "\n".join(
        f"{o.method} {o.route.name} [{o.route.template}] as {o.role} ({o.variant}): "
        f"expected {o.expect.value}; {o.problem}"
        for o in failures[:60]
    )
    assert not failures, f"{len(failures)} authorization failures:\n{report}"


def test_the_matrix_catches_a_planted_leak(db, monkeypatch):
    """If requests stopped being narrowed to the viewer, the matrix would say so."""
    from soutien.ticketing import selectors
    from soutien.ticketing.models import Ticket

    world = build()
    monkeypatch.setattr(selectors, "tickets_visible_to", lambda user: Ticket.objects.all())
    outcomes, _counts = run_matrix(world, only="{ticket_id}")
    problems = {(o.route.name, o.role) for o in outcomes if o.problem}
    assert ("GET /tickets/{ticket_id}", "contact") in problems
    # A's client would read B's rating and guarantees: their reads are narrowed the same way.
    assert ("GET /tickets/{ticket_id}/satisfaction", "contact") in problems
    assert ("GET /tickets/{ticket_id}/guarantees", "client_admin") in problems
    assert ("portal:ticket", "client_admin") in problems
    assert any("leak: 'zqB'" in o.problem for o in outcomes)
