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

from django.db.models import Q, QuerySet

from gongjian.orgs.models import Area
from gongjian.stats.registry import Figure, Indicator, Kept, PieceFn, Subjects, year_to_date
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


def _support_rate(area: Area, date: dt.date) -> float:
    """Of the answers to consultations closed in the period, the share in favour."""
    total = _answers(area, date).count()
    return round(_answers_for(area, date).count() / total, 4) if total else 0.0


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
