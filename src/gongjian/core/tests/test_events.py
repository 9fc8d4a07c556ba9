"""The event catalogue: one name per state change, each with a label and an audience."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings
from django.utils import translation

from gongjian.core.audit import audit_record, audit_verify
from gongjian.core.events import NOTICE_KINDS, Audience, Event, event_of
from gongjian.core.models import AuditEntry


def _sources() -> list[Path]:
    root = Path(settings.PACKAGE_DIR)
    return [
        path
        for path in sorted(root.rglob("*.py"))
        if "tests" not in path.relative_to(root).parts and "migrations" not in path.relative_to(root).parts
    ]


def _action_arguments() -> list[tuple[str, str, ast.expr]]:
    """Every ``action=`` argument in the product code: (place, called function, expression)."""
    found = []
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            for keyword in node.keywords:
                if keyword.arg == "action":
                    found.append((f"{path.name}:{node.lineno}", name, keyword.value))
    return found


def test_every_event_has_one_value_a_label_and_an_audience():
    assert len(Event.__members__) == len(list(Event)), "two events share a value"
    for event in Event:
        noun, _, verb = event.value.partition(".")
        assert noun and verb and event.value == event.value.strip().lower(), event
        assert event.name == event.value.upper().replace(".", "_"), event
        assert str(event.label).strip(), event
        assert event.audience, f"{event}: nobody hears of it (say AUDIT_ONLY and why)"
        if Audience.AUDIT_ONLY in event.audience:
            assert event.audience == {Audience.AUDIT_ONLY}, f"{event}: audit-only and heard by someone"
            assert event.audit_only and event.why.strip(), f"{event}: audit-only needs a one-line reason"
        else:
            assert not event.audit_only and not event.why, event
    for event, kind in NOTICE_KINDS.items():
        assert kind and not event.audit_only and event.notice_kind == kind, event


def test_the_labels_are_translated_into_both_scripts():
    with translation.override("en"):
        english = {e: str(e.label) for e in Event}
    for language in ("zh-hans", "zh-hant"):
        with translation.override(language):
            untranslated = [e.value for e in Event if str(e.label) == english[e]]
        assert not untranslated, f"{language}: {untranslated[:10]}"
    with translation.override("zh-hans"):
        assert str(Event.CLAIM_CREATE.label) == "认领"
    with translation.override("zh-hant"):
        assert str(Event.CLAIM_CREATE.label) == "認領"


def test_every_action_string_in_the_code_is_an_event_and_audit_calls_name_events():
    values = {e.value for e in Event}
    for place, name, value in _action_arguments():
        if name == "add_argument":  # argparse's action="store_true"
            continue
        translated = isinstance(value, ast.Call) and getattr(
            value.func, "id", getattr(value.func, "attr", "")
        ) in {
            "_",
            "gettext",
            "gettext_lazy",
            "pgettext",
            "pgettext_lazy",
        }
        if translated:  # a button's words (the inbox's "act" labels), not an audit action
            continue
        literals = [
            n.value for n in ast.walk(value) if isinstance(n, ast.Constant) and isinstance(n.value, str)
        ]
        assert set(literals) <= values, f"{place}: {literals} not in the event catalogue"
        if name == "audit_record":
            assert not literals, f"{place}: pass Event.X to audit_record, not its string"
            assert not any(isinstance(n, ast.JoinedStr) for n in ast.walk(value)), place


def test_the_entry_stores_the_value_and_reads_back_as_the_event(db):
    entry = audit_record(actor=None, action=Event.TOKEN_ROTATE, object_type="accounts.token", object_id="1")
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.action == "token.rotate" and type(stored.action) is str
    assert event_of(stored.action) is Event.TOKEN_ROTATE
    assert event_of("no.such_event") is None
    assert audit_verify().ok


def _name_of(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _events_in(expr: ast.AST, assigned: dict[str, set[str]]) -> set[str]:
    """The ``Event.X`` named in an expression, directly or through a local name bound to one."""
    found: set[str] = set()
    for node in ast.walk(expr):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Event":
            found.add(node.attr)
        elif isinstance(node, ast.Name) and node.id in assigned:
            found |= assigned[node.id]
    return found


def _announced_events() -> dict[str, str]:
    """Every event some product code tells people of: the ``Event.X`` passed to ``announce`` or to
    a helper of the code that passes its own ``Event`` parameter on to ``announce`` (``_announce_claim``,
    ``_seat_audit`` …), directly or through a local name (``event = Event.A if … else Event.B``)."""
    trees = [(path, ast.parse(path.read_text(encoding="utf-8"))) for path in _sources()]
    functions = [
        (path, fn) for path, tree in trees for fn in ast.walk(tree) if isinstance(fn, ast.FunctionDef)
    ]
    tellers = {"announce"}
    grew = True
    while grew:
        grew = False
        for _path, fn in functions:
            if fn.name in tellers:
                continue
            params = {
                a.arg
                for a in fn.args.args + fn.args.kwonlyargs
                if isinstance(a.annotation, ast.Name) and a.annotation.id == "Event"
            }
            for node in ast.walk(fn):
                if not (isinstance(node, ast.Call) and _name_of(node) in tellers):
                    continue
                passed = [*node.args, *(k.value for k in node.keywords)]
                if any(isinstance(a, ast.Name) and a.id in params for a in passed):
                    tellers.add(fn.name)
                    grew = True
                    break
    found: dict[str, str] = {}
    for path, fn in functions:
        assigned: dict[str, set[str]] = {}
        for node in ast.walk(fn):
            if isinstance(node, ast.Assign):
                events = _events_in(node.value, {})
                for target in node.targets:
                    for name in ast.walk(target):
                        if isinstance(name, ast.Name) and events:
                            assigned.setdefault(name.id, set()).update(events)
        for node in ast.walk(fn):
            if isinstance(node, ast.Call) and _name_of(node) in tellers:
                for arg in [*node.args, *(k.value for k in node.keywords)]:
                    for event in _events_in(arg, assigned):
                        found.setdefault(event, f"{path.name}:{node.lineno}")
    return found


def test_every_event_told_to_someone_is_announced_by_the_code():
    """Each event with an audience has a call site that tells it (``announce(Event.X, …)`` or a
    helper that does); an event nobody is told of is marked AUDIT_ONLY with its reason instead."""
    announced = _announced_events()
    silent = [e.value for e in Event if not e.audit_only and e.name not in announced]
    assert not silent, f"told to nobody by the code (announce them or mark them AUDIT_ONLY): {silent}"
    loud = [e.value for e in Event if e.audit_only and e.name in announced]
    assert not loud, f"audit-only but announced: {loud}"
