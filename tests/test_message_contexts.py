"""Screens say the right thing: status words never read as a date or a field (issue 16).

"Published" once showed as 发布时间 and "Raised" as 提出时间 in badges, filters and messages, because
the status shared its message with the date label of a detail page; the QR check-in button said 登录
(log in). Every status label (the ``TextChoices`` of every app) and every action now carries a
message context (``pgettext``), and this test reads the zh-Hans catalogue (polib on the .po the
setup compiles) to keep it so:

(a) every choice label of every app, found through the app registry, has a message context, is
    translated, and its translation neither contains a date word (时间/日期/时刻) nor equals the
    translation of a field label (context "field", or a model field's verbose name);
(b) a status or action translation is not shared by a different message in another context, unless
    the pair is in ``ALLOWED`` below with the reason it is the same word;
(c) every label of every form field (the forms modules of every app and the web kit) has a message
    context ("field", or "person" for a person's name) and a translation, so a label that is also a
    status word (Status, Published, Ended …) or a date word can be told apart; a person's name reads
    姓名, never 名称 (the name of a thing).
"""

from __future__ import annotations

import enum
import importlib
import inspect
import pkgutil
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polib
import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import translation

from gongjian.lists.models import DemandStatus

DATE_WORDS = ("时间", "日期", "时刻")
PACKAGE = "gongjian"

#: (context, msgid) of a status or action → the other messages (context, msgid) that may share
#: its zh-Hans translation, because they mean the same thing in another place.
ALLOWED: dict[tuple[str, str], set[tuple[str | None, str]]] = {
    # the role "Party member" and the ledgers' "member": 党员 is the word for both
    ("status", "Party member"): {(None, "Member"), (None, "Members"), (None, "member")},
    # a demand raised and a topic proposed: both 已提出
    ("status", "Raised"): {(None, "Proposed")},
    # a claim withdrawn and a session pair taken back: both 已撤回
    ("status", "Taken back"): {(None, "Withdrawn")},
    # an alliance's level and the column of the places at that level: 社区, 街道
    ("status", "Community"): {("field", "Communities")},
    # a campaign's kind of candidate and the organisations themselves: 党组织
    ("status", "Party organisations"): {(None, "Party orgs"), (None, "organisation")},
    # the city level and the municipal rank: 市
    ("status", "Municipal (市)"): {(None, "City")},
    # hours waiting for verification, shown as "waiting" on the member's own page
    ("status", "Waiting for verification"): {(None, "Waiting"), (None, "waiting")},
    # volunteering as a category of demand and as a kind of resource: 志愿服务
    ("status", "Volunteers and service (志愿服务)"): {(None, "Service")},
    # an agenda source and the heading of the same items
    ("status", "Progress on an open action item"): {(None, "Progress on open action items")},
    # hours from an activity, and the activities themselves: 活动
    ("status", "Activity"): {(None, "Activities")},
    # the member category and the mobile members' ledger: 流动党员
    ("status", "Mobile (流动党员)"): {
        (None, "Mobile member"),
        (None, "Mobile members"),
        ("field", "Mobile member"),  # the check-in form's choice of a mobile member
    },
    # a household poll and the home's line of polls open to one's household: both 征求意见
    ("status", "Household-by-household poll (征求意见)"): {("inbox", "Consultations")},
    # the seat's screening button and the screening form it opens: 资格审查
    ("action", "Screened"): {(None, "Screening")},
    # the QR check-in button, the station check-in and the "signed in" column: all 签到
    ("action", "Sign in"): {(None, "Check in"), (None, "Signed in"), (None, "signed in")},
    # running jobs, projects in progress and an open consultation: 进行中
    ("status", "Running"): {(None, "In progress"), (None, "open")},
    ("status", "In progress"): {(None, "Running"), (None, "open")},
    # the clause and the co-management it names: 队伍共管
    ("status", "Teams managed together (队伍共管)"): {
        (None, "Co-managed"),
        (None, "Co-management (队伍共管)"),
    },
}


#: Choice labels (context, msgid) that may read as a field's name, because the choice is that thing.
SAME_AS_FIELD: set[tuple[str, str]] = {
    ("status", "Party member"),  # the role is the member (党员) a ledger row names
    ("status", "Street"),  # a street-level alliance's level is the street (街道) a column names
    ("status", "Community"),  # likewise a community-level alliance's level: 社区
    ("status", "Party organisations"),  # a campaign's kind of candidate is the organisations: 党组织
    ("status", "Resident units"),  # and the units: 驻区单位
    ("status", "Demand"),  # the kind "demand" (需求), as against a micro-wish, is the claim's demand
    ("status", "File"),  # evidence of the kind "file" (文件) is the evidence's file
    ("status", "Resident unit"),  # an activity organised by a resident unit (驻区单位), the org's unit
    ("status", "Mobile (流动党员)"),  # the category, and the check-in form's mobile member: 流动党员
    ("status", "A joint meeting"),  # a demand raised at a joint meeting, and the meeting: 联席会议
    ("status", "Service team"),  # an activity organised by a service team, and the team: 服务队
    ("status", "Co-building project"),  # an activity organised for a project, and the project: 共建项目
}


def _catalogue() -> polib.POFile:
    return polib.pofile(str(Path(settings.PACKAGE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))


def _translations() -> dict[tuple[str | None, str], str]:
    return {(e.msgctxt, e.msgid): e.msgstr for e in _catalogue() if not e.obsolete}


def _message(label: Any) -> tuple[str | None, str]:
    """The (context, msgid) behind a lazy label: ``pgettext_lazy(ctx, id)`` or ``gettext_lazy(id)``."""
    args = getattr(label, "_args", None)
    if not args:
        return None, str(label)
    return (args[0], args[1]) if len(args) == 2 else (None, args[0])


def _choice_classes() -> Iterator[type[models.TextChoices]]:
    """Every ``TextChoices`` declared in the models module of a project app (nested ones too)."""
    seen: set[type] = set()
    for config in apps.get_app_configs():
        if not config.name.startswith(PACKAGE) or config.models_module is None:
            continue
        module = config.models_module
        spaces = [module, *(m for m in vars(module).values() if inspect.isclass(m))]
        for space in spaces:
            for value in vars(space).values():
                if (
                    inspect.isclass(value)
                    and issubclass(value, models.TextChoices)
                    and value.__module__ == module.__name__
                    and value not in seen
                ):
                    seen.add(value)
                    yield value


def _choice_labels() -> list[tuple[str, tuple[str | None, str]]]:
    rows = []
    for cls in _choice_classes():
        members: list[Any] = list(cls)
        for member in members:
            assert isinstance(member, enum.Enum)
            rows.append((f"{cls.__module__}.{cls.__qualname__}.{member.name}", _message(member.label)))
    return rows


def _field_words(texts: dict[tuple[str | None, str], str]) -> dict[str, str]:
    """zh-Hans field labels → where they come from: context "field" and every model field's name."""
    words: dict[str, str] = {}
    for (ctx, msgid), text in texts.items():
        if ctx == "field" and text:
            words[text] = f"field|{msgid}"
    for model in apps.get_models():
        if not model.__module__.startswith(PACKAGE):
            continue
        for field in model._meta.get_fields():
            verbose = getattr(field, "verbose_name", None)
            if verbose is None:
                continue
            text = texts.get(_message(verbose), "")
            if text:
                words.setdefault(text, f"{model._meta.label}.{field.name}")
    return words


def test_every_choice_label_of_every_app_is_found() -> None:
    labels = dict(_choice_labels())
    assert len(labels) > 150
    assert labels["gongjian.lists.models.DemandStatus.PUBLISHED"] == ("status", "Published")


def test_a_status_never_reads_as_a_date_or_a_field() -> None:
    texts = _translations()
    fields = _field_words(texts)
    problems = []
    for where, (ctx, msgid) in _choice_labels():
        if ctx is None:
            problems.append(f"{where}: {msgid!r} has no message context (pgettext_lazy('status', …))")
            continue
        text = texts.get((ctx, msgid), "")
        if not text:
            problems.append(f"{where}: {ctx}|{msgid!r} is not translated in zh_Hans")
        elif any(word in text for word in DATE_WORDS):
            problems.append(f"{where}: {ctx}|{msgid!r} reads as a date: {text}")
        elif text in fields and (ctx, msgid) not in SAME_AS_FIELD:
            problems.append(f"{where}: {ctx}|{msgid!r} reads as the field {fields[text]}: {text}")
    assert not problems, "\n".join(problems)


def _status_words_read_as_dates(texts: dict[tuple[str | None, str], str]) -> list[str]:
    """Messages without a context that are a status's English word (up to case) but read as a date:
    the same word must say which it is (``context "field"`` for the date label), or a later
    ``_("Ended")`` on a badge would show 结束日期."""
    statuses = {msgid.lower() for ctx, msgid in texts if ctx == "status"}
    return sorted(
        f"{msgid!r} reads as a date ({text}) but is also a status: give it a context (field)"
        for (ctx, msgid), text in texts.items()
        if ctx is None and msgid.lower() in statuses and any(word in text for word in DATE_WORDS)
    )


def test_a_status_word_without_a_context_never_reads_as_a_date() -> None:
    problems = _status_words_read_as_dates(_translations())
    assert not problems, "\n".join(problems)


def _same_word(a: str, b: str) -> bool:
    """The same English word up to case, an article, a plural or a Chinese gloss in brackets."""

    def norm(text: str) -> str:
        text = re.sub(r"\s*\([^)]*\)$", "", text).strip().lower()
        text = re.sub(r"^(a|an|the) ", "", text)
        return text[:-1] if text.endswith("s") and not text.endswith("ss") else text

    return norm(a) == norm(b)


def _shared(texts: dict[tuple[str | None, str], str]) -> dict[tuple[str, str], set[tuple[str | None, str]]]:
    by_text: dict[str, set[tuple[str | None, str]]] = defaultdict(set)
    for key, text in texts.items():
        if text:
            by_text[text].add(key)
    shared: dict[tuple[str, str], set[tuple[str | None, str]]] = {}
    for keys in by_text.values():
        for ctx, msgid in keys:
            if ctx not in ("status", "action"):
                continue
            others = {(c, m) for c, m in keys if c != ctx and not _same_word(m, msgid)}
            if others:
                shared[(ctx, msgid)] = others
    return shared


def test_no_status_or_action_shares_its_word_with_another_message() -> None:
    shared = _shared(_translations())
    problems = [
        f"{ctx}|{msgid!r} shares its zh-Hans word with {sorted(others - ALLOWED.get((ctx, msgid), set()), key=str)}"
        for (ctx, msgid), others in sorted(shared.items())
        if others - ALLOWED.get((ctx, msgid), set())
    ]
    assert not problems, "\n".join(problems)
    stale = sorted(key for key in ALLOWED if key not in shared)
    assert not stale, f"allowed pairs that no longer share a word (remove them): {stale}"


def test_the_check_fails_on_the_collisions_of_issue_16() -> None:
    """The old catalogue's words, put back, are caught by both checks."""
    texts = _translations()
    texts[("status", "Published")] = "发布时间"  # as a date
    bad = dict(_choice_labels())
    assert bad["gongjian.lists.models.DemandStatus.PUBLISHED"] == ("status", "Published")
    assert any(w in texts[("status", "Published")] for w in DATE_WORDS)
    assert texts[("status", "Published")] in _field_words(texts)
    assert (None, "published at") in _shared(texts)[("status", "Published")]
    texts[(None, "Published")] = "发布时间"  # the status's word as a date label without a context
    assert any("'Published' reads as a date" in p for p in _status_words_read_as_dates(texts))


@pytest.mark.django_db
def test_status_badges_and_the_check_in_button_say_the_right_thing() -> None:
    with translation.override("zh-hans"):
        assert str(DemandStatus.PUBLISHED.label) == "已发布"
        assert str(DemandStatus.RAISED.label) == "已提出"
    with translation.override("zh-hant"):
        assert str(DemandStatus.PUBLISHED.label) == "已發佈"
    with translation.override("en"):
        assert str(DemandStatus.PUBLISHED.label) == "Published"
    body = Client().get(reverse("accounts:login")).content.decode()
    assert "登录" in body  # signing in to the site stays 登录


# --- (c) form field labels ------------------------------------------------------------------------


def _form_classes() -> Iterator[type[forms.BaseForm]]:
    """Every form class declared in a forms module of the project (``<app>/forms.py``,
    ``<app>/forms/*.py``, ``web/forms.py``)."""
    import gongjian

    for info in pkgutil.walk_packages(gongjian.__path__, f"{PACKAGE}."):
        name = info.name
        if ".tests" in name or not (name.endswith(".forms") or ".forms." in name):
            continue
        module = importlib.import_module(name)
        for value in vars(module).values():
            if inspect.isclass(value) and issubclass(value, forms.BaseForm) and value.__module__ == name:
                yield value


def _form_label_problems(
    classes: list[type[forms.BaseForm]], texts: dict[tuple[str | None, str], str]
) -> list[str]:
    problems = []
    for cls in classes:
        for name, field in cls.base_fields.items():
            if field.label is None or isinstance(field.label, str):
                continue  # Django's own label from the field name, or a name (not a message)
            ctx, msgid = _message(field.label)
            where = f"{cls.__module__}.{cls.__qualname__}.{name}"
            if ctx is None:
                problems.append(f"{where}: {msgid!r} has no message context (pgettext_lazy('field', …))")
            elif not texts.get((ctx, msgid)):
                problems.append(f"{where}: {ctx}|{msgid!r} is not translated in zh_Hans")
            elif name in PERSON_NAME_FIELDS.get(cls.__name__, ()) and texts[(ctx, msgid)] != "姓名":
                problems.append(f"{where}: a person's name reads {texts[(ctx, msgid)]}, not 姓名")
    return problems


#: Form fields that hold a person's name (form class → field names): they read 姓名.
PERSON_NAME_FIELDS: dict[str, tuple[str, ...]] = {
    "MemberForm": ("name",),
    "VolunteerForm": ("name",),
    "SeatRecommendForm": ("person_name",),
    "AttendanceForm": ("person_name",),
}


def test_every_form_field_label_has_a_context_and_a_translation() -> None:
    classes = list(_form_classes())
    assert len(classes) > 100
    names = {c.__name__ for c in classes}
    assert set(PERSON_NAME_FIELDS) <= names
    problems = _form_label_problems(classes, _translations())
    assert not problems, "\n".join(problems)


def test_the_form_label_check_catches_a_bare_label_and_a_person_named_like_a_thing() -> None:
    from django.utils.translation import gettext_lazy, pgettext_lazy

    class StatusFilter(forms.Form):
        status = forms.CharField(label=gettext_lazy("Status"))

    class MemberForm(forms.Form):
        name = forms.CharField(label=pgettext_lazy("field", "Name"))

    problems = _form_label_problems([StatusFilter, MemberForm], _translations())
    assert any("StatusFilter.status: 'Status' has no message context" in p for p in problems)
    assert any("MemberForm.name: a person's name reads 名称" in p for p in problems)


def test_a_persons_name_reads_xingming_on_forms_tables_and_records() -> None:
    from gongjian.cobuild.models import Attendance, PartTimeSeat
    from gongjian.members.models import Member
    from gongjian.service.models import Volunteer

    with translation.override("zh-hans"):
        for model, field in (
            (Member, "name"),
            (Volunteer, "name"),
            (PartTimeSeat, "person_name"),
            (Attendance, "person_name"),
        ):
            assert str(model._meta.get_field(field).verbose_name) == "姓名", model
        assert translation.pgettext("field", "Name") == "名称"  # a thing's name stays 名称
