"""Co-building's figures (agreements, part-time seats, joint meetings, consultations), each with the
query of its rows and its kept source side by side. Registered from
:class:`gongjian.cobuild.apps.CobuildConfig`.

For the kept figures, what decides whether a row counts on a date (the area is always the node and
everything below it, by ``path``):

- ``consultations.support_rate``: ConsultationAnswer (for ÷ all) of a Consultation on consultation.area; consultation.closes_on in the year to the date (answers count once, in the year their poll closed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

from django.db.models import Q, QuerySet, Sum

from gongjian.orgs.models import Area
from gongjian.stats.registry import Figure, Indicator, Kept, PieceFn, Subjects, ratio, year_to_date
from gongjian.stats.sources import dated, itself, local_day, rows_of
from gongjian.stats.tally_core import Piece, flow, overlap

from .models import (
    Agreement,
    Answer,
    CommitteeKind,
    Consultation,
    ConsultationAnswer,
    JointMeeting,
    MeetingStatus,
    PartTimeSeat,
    Pledge,
    PledgeKind,
    SeatStep,
)

# --- rows: the reference count ----------------------------------------------------------------


def _agreements(area: Area, date: dt.date) -> QuerySet[Agreement]:
    """Pairing agreements in force on the date whose community (or street) side is in the subtree."""
    return Agreement.objects.filter(Agreement.in_force_on(date), area__path__startswith=area.path)


def _seats(kind: str) -> Callable[[Area, dt.date], QuerySet[PartTimeSeat]]:
    """Part-time seats appointed and within their term on the date, on expanded committees of one
    kind (street 大工委 / community 大党委) in the subtree."""

    def rows(area: Area, date: dt.date) -> QuerySet[PartTimeSeat]:
        return PartTimeSeat.objects.filter(
            PartTimeSeat.in_force_on(date), committee__kind=kind, committee__area__path__startswith=area.path
        )

    return rows


def _meetings(area: Area, date: dt.date) -> QuerySet[JointMeeting]:
    """Joint meetings held in the period (year to date) in the subtree: held or minuted, not
    cancelled, starting on a day of the period (Beijing time)."""
    first, last = year_to_date(date)
    return JointMeeting.objects.filter(
        status__in=[MeetingStatus.HELD, MeetingStatus.CLOSED],
        starts_at__date__gte=first,
        starts_at__date__lte=last,
        area__path__startswith=area.path,
    )


def _pledges_of(kind: str) -> Callable[[Area, dt.date], QuerySet[Pledge]]:
    """Pledges of one kind made at the joint meetings held in the subtree in the period (year to
    date): the meetings of ``meetings.joint``."""

    def rows(area: Area, date: dt.date) -> QuerySet[Pledge]:
        return Pledge.objects.filter(
            kind=kind, meeting__in=_meetings(area, date), quantity__isnull=False
        ).select_related("meeting", "unit")

    return rows


def _pledged(kind: str) -> Callable[[Area, dt.date], int]:
    """What was pledged of the kind: the sum of the quantities (an "at least" counts its least)."""
    rows = _pledges_of(kind)

    def value(area: Area, date: dt.date) -> int:
        return int(rows(area, date).aggregate(total=Sum("quantity"))["total"] or 0)

    return value


def _kept_pledges(kind: str) -> PieceFn:
    """The kept mirror of :func:`_pledged`: each pledge weighs its quantity, from its meeting's day,
    while the meeting counts as held."""

    def pieces(subjects: Subjects) -> Iterator[Piece]:
        qs = Pledge.objects.filter(
            kind=kind,
            quantity__isnull=False,
            meeting__status__in=[MeetingStatus.HELD, MeetingStatus.CLOSED],
        )
        for r in rows_of(qs, subjects, "pk", "meeting__area__path", "meeting__starts_at", "quantity"):
            day = local_day(r["meeting__starts_at"])
            assert day is not None
            yield flow(r["pk"], r["meeting__area__path"], day, float(r["quantity"]))

    return pieces


def _pledges_of_meeting(row: JointMeeting) -> list[int]:
    return list(Pledge.objects.filter(meeting=row).values_list("pk", flat=True))


#: ``pledges.<kind>``: names and places in the catalogue.
PLEDGE_FIGURES = (
    (
        PledgeKind.LECTURERS,
        "承诺讲课教授专家(人)",
        "承諾講課教授專家(人)",
        "Lecturers and experts pledged",
        620,
    ),
    (PledgeKind.VOLUNTEERS, "承诺志愿者(人)", "承諾志願者(人)", "Volunteers pledged", 630),
    (PledgeKind.VENUES, "承诺开放场地(处)", "承諾開放場地(處)", "Venues pledged", 640),
    (PledgeKind.FUNDS, "承诺资金(元)", "承諾資金(元)", "Funds pledged (yuan)", 650),
    (PledgeKind.GOODS, "承诺物资(件)", "承諾物資(件)", "Goods pledged", 660),
)


def _answers(area: Area, date: dt.date) -> QuerySet[ConsultationAnswer]:
    first, last = year_to_date(date)
    return ConsultationAnswer.objects.filter(
        consultation__closes_on__gte=first,
        consultation__closes_on__lte=last,
        consultation__area__path__startswith=area.path,
    )


def _answers_for(area: Area, date: dt.date) -> QuerySet[ConsultationAnswer]:
    """Answers in favour, to consultations in the subtree that closed in the period (year to date)."""
    return _answers(area, date).filter(answer=Answer.FOR)


def _support_rate(area: Area, date: dt.date) -> float | None:
    """Of the answers to consultations closed in the period, the share in favour."""
    total = _answers(area, date).count()
    return ratio(_answers_for(area, date).count(), total)  # None without answers: no data


# --- kept: the tally's sources ----------------------------------------------------------------


def _kept_agreements(subjects: Subjects) -> Iterator[Piece]:
    qs = Agreement.objects.filter(signed_on__isnull=False)
    for r in rows_of(qs, subjects, "pk", "area__path", "signed_on", "starts_on", "ends_on", "ended_on"):
        days = overlap(
            max(r["signed_on"], r["starts_on"]),
            r["ends_on"] + dt.timedelta(days=1),
            r["starts_on"],
            r["ended_on"],
        )
        if days:
            yield Piece(r["pk"], r["area__path"], *days)


def _kept_seats(kind: str) -> PieceFn:
    return dated(
        PartTimeSeat,
        "committee__area__path",
        Q(step__in=[SeatStep.APPOINTED, SeatStep.ANNOUNCED, SeatStep.ENDED], committee__kind=kind),
    )


def _kept_meetings(subjects: Subjects) -> Iterator[Piece]:
    qs = JointMeeting.objects.filter(status__in=[MeetingStatus.HELD, MeetingStatus.CLOSED])
    for r in rows_of(qs, subjects, "pk", "area__path", "starts_at"):
        day = local_day(r["starts_at"])
        assert day is not None
        yield flow(r["pk"], r["area__path"], day)


def _kept_answers(where: Q) -> PieceFn:
    def pieces(subjects: Subjects) -> Iterator[Piece]:
        qs = ConsultationAnswer.objects.filter(where)
        for r in rows_of(qs, subjects, "pk", "consultation__area__path", "consultation__closes_on"):
            yield flow(r["pk"], r["consultation__area__path"], r["consultation__closes_on"])

    return pieces


def _answers_of(row: Consultation) -> list[int]:
    return list(ConsultationAnswer.objects.filter(consultation=row).values_list("pk", flat=True))


_ANSWERS = {ConsultationAnswer: itself, Consultation: _answers_of}

FIGURES: list[Figure] = [
    Figure(
        Indicator(
            "agreements.in_force",
            "在约结对共建协议",
            "在約結對共建協議",
            "Pairing agreements in force",
            "stock",
            _agreements,
            order=30,
        ),
        Kept(_kept_agreements, {Agreement: itself}),
    ),
    Figure(
        Indicator(
            "parttime.street",
            "街道大工委兼职委员",
            "街道大工委兼職委員",
            "Part-time members of street committees",
            "stock",
            _seats(CommitteeKind.STREET),
            order=40,
        ),
        Kept(_kept_seats(CommitteeKind.STREET), {PartTimeSeat: itself}),
    ),
    Figure(
        Indicator(
            "parttime.community",
            "社区大党委兼职委员",
            "社區大黨委兼職委員",
            "Part-time members of community committees",
            "stock",
            _seats(CommitteeKind.COMMUNITY),
            order=50,
        ),
        Kept(_kept_seats(CommitteeKind.COMMUNITY), {PartTimeSeat: itself}),
    ),
    Figure(
        Indicator(
            "meetings.joint",
            "召开联席会议",
            "召開聯席會議",
            "Joint meetings held (year to date)",
            "flow",
            _meetings,
            order=60,
        ),
        Kept(_kept_meetings, {JointMeeting: itself}),
    ),
    # pledges by kind at the joint meetings held (year to date), counted from their rows
    *[
        Figure(
            Indicator(
                f"pledges.{kind.value}",
                hans,
                hant,
                f"{en} at joint meetings (year to date)",
                "flow",
                _pledges_of(kind.value),
                _pledged(kind.value),
                order=order,
            ),
            Kept(
                _kept_pledges(kind.value), {Pledge: itself, JointMeeting: _pledges_of_meeting}, distinct=False
            ),
        )
        for kind, hans, hant, en, order in PLEDGE_FIGURES
    ],
    # the article's further figures
    Figure(
        Indicator(
            "consultations.support_rate",
            "征求意见支持率",
            "徵求意見支持率",
            "Share of consultation answers in favour (year to date)",
            "ratio",
            _answers_for,
            _support_rate,
            parts=("_answers.for", "_answers.all"),
            order=530,
        )
    ),
    # parts of the ratio above
    Figure(
        Indicator(
            "_answers.for",
            "赞成的意见（年初至今）",
            "贊成的意見（年初至今）",
            "Answers in favour (year to date)",
            "flow",
            _answers_for,
            hidden=True,
            order=540,
        ),
        Kept(_kept_answers(Q(answer=Answer.FOR)), _ANSWERS),
    ),
    Figure(
        Indicator(
            "_answers.all",
            "征求意见答复（年初至今）",
            "徵求意見答覆（年初至今）",
            "Consultation answers (year to date)",
            "flow",
            _answers,
            hidden=True,
            order=550,
        ),
        Kept(_kept_answers(Q()), _ANSWERS),
    ),
]
