"""What the bansos screen lists: every programme with the resident's standing in it, and
whether the resident may apply to it here, and if not, why.

The centre enforces "one NIK, one programme per cluster" (central/services/bansos.py) and
refuses an application that breaks it. The same rule is applied here to the resident's own
status, so the screen can say *before* anyone presses anything why a programme cannot be
chosen ("you already receive PKH, which pays for the same need") instead of letting the
resident find out from a refusal after the review. The centre stays the judge; this is the
explanation. Pure functions over the contract's ``BansosStatus``: no words, no I/O (the
screen words each ``Blocked`` reason in the resident's language).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from central.contract.models import LocalizedText
from central.contract.services import BansosEnrollment, BansosStatus

HOLDING = ("active", "pending")  # the statuses that hold a cluster (the centre's rule)


class Standing(enum.StrEnum):
    """The resident's place in one programme."""

    NONE = "none"  # never enrolled
    ACTIVE = "active"  # receiving it
    PENDING = "pending"  # applied, being verified
    ENDED = "ended"  # received it once; may apply again if the cluster is free


class Blocked(enum.StrEnum):
    """Why a programme cannot be chosen at the kiosk."""

    RECEIVING = "receiving"  # the resident already receives this one
    VERIFYING = "verifying"  # the resident's application for this one is being checked
    CLUSTER_TAKEN = "cluster_taken"  # another programme of the same cluster is held
    NOT_AT_KIOSK = "not_at_kiosk"  # registered elsewhere (e.g. the health office)


@dataclass(frozen=True)
class BansosChoice:
    """One programme as the screen shows it. ``held_by`` names the programme holding the
    cluster when ``blocked`` is CLUSTER_TAKEN; ``since`` dates the resident's standing."""

    program_id: str
    name: LocalizedText
    cluster: str
    standing: Standing
    since: date | None = None
    blocked: Blocked | None = None
    held_by: LocalizedText | None = None
    held_status: Standing | None = None

    @property
    def can_apply(self) -> bool:
        return self.blocked is None


def _latest(enrollments: list[BansosEnrollment]) -> dict[str, BansosEnrollment]:
    """Each programme's enrollment that matters: a holding one before an ended one, then the
    newest (the centre lists them newest first)."""
    chosen: dict[str, BansosEnrollment] = {}
    for enrollment in enrollments:
        kept = chosen.get(enrollment.program_id)
        if kept is None or (enrollment.status in HOLDING and kept.status not in HOLDING):
            chosen[enrollment.program_id] = enrollment
    return chosen


def bansos_choices(status: BansosStatus) -> tuple[BansosChoice, ...]:
    """Every programme the centre lists, in its order, with the resident's standing and the
    reason (if any) it cannot be chosen."""
    mine = _latest(status.enrollments)
    holders = {e.cluster: e for e in status.enrollments if e.status in HOLDING}
    choices = []
    for program in status.programs:
        own = mine.get(program.id)
        standing = Standing(own.status) if own is not None else Standing.NONE
        holder = holders.get(program.cluster)
        blocked: Blocked | None = None
        if standing is Standing.ACTIVE:
            blocked = Blocked.RECEIVING
        elif standing is Standing.PENDING:
            blocked = Blocked.VERIFYING
        elif not program.open_for_applications:
            blocked = Blocked.NOT_AT_KIOSK
        elif holder is not None:
            blocked = Blocked.CLUSTER_TAKEN
        taken = blocked is Blocked.CLUSTER_TAKEN and holder is not None
        choices.append(
            BansosChoice(
                program_id=program.id,
                name=program.name,
                cluster=program.cluster,
                standing=standing,
                since=own.since if own is not None else None,
                blocked=blocked,
                held_by=holder.program_name if taken and holder else None,
                held_status=Standing(holder.status) if taken and holder else None,
            )
        )
    return tuple(choices)
