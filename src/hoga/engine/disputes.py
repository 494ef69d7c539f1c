"""Disputes and objections (terms art. 4 ③, 18): intake, answers, deadlines, escalation.

:class:`DisputeService` runs :mod:`hoga.domain.disputes` over stored cases (``uow.compliance``);
it is registered as ``ctx.services["disputes"]``. Every step is recorded (the compliance log and
the records service, through :class:`~hoga.engine.compliance_desk.Desk`) and notified:

- filing — the customer gets an acknowledgement with the answer deadline;
- ``reminder`` (day 10) and ``last_day`` (day 15) — the operator is reminded;
- ``escalated`` (day 13) — the operator is told the case goes to the person responsible for
  disputes, and the customer that it was escalated;
- ``overdue`` (the deadline) — the operator is told, and the customer is told that the answer is
  late and where mediation can be asked for (art. 18 ③);
- an answer or a withdrawal — the customer gets it.

Milestones pass lazily: :meth:`maybe_sweep` (called by the API on compliance requests and by the
consent gate on authenticated calls) sweeps once the earliest due instant has passed on the
application clock, and reloads at least every ``refresh_us`` of wall time.
"""

from __future__ import annotations

from collections.abc import Callable

from hoga.domain import disputes as dm
from hoga.domain.disputes import Case, DeadlinePolicy, Kind, Milestone, Refused
from hoga.engine.compliance_desk import Desk, when
from hoga.ports.clock import Clock

__all__ = ["MEDIATION", "DisputeService"]

MEDIATION = (
    "처리 결과에 이의가 있으면 금융감독원 금융분쟁조정위원회 또는 한국소비자원 "
    "소비자분쟁조정위원회에 분쟁조정을 신청할 수 있습니다."
)
_LABEL = {Kind.DISPUTE: "분쟁처리 신청", Kind.OBJECTION: "이의제기"}


class DisputeService:
    """See the module docstring."""

    def __init__(
        self,
        desk: Desk,
        *,
        policy: DeadlinePolicy | None = None,
        wall: Clock | None = None,
        refresh_us: int = 1_000_000,
    ) -> None:
        self.desk = desk
        self.storage = desk.storage
        self.clock = desk.clock
        self.wall = wall or desk.clock
        self.policy = policy or DeadlinePolicy()
        self.refresh_us = refresh_us
        self._next_due: int | None = None
        self._refreshed: int | None = None

    def file(self, customer_id: str, kind: Kind, subject: str, body: str) -> Case | Refused:
        """A customer files a dispute or an objection."""
        now = self.clock.now()
        with self.storage.unit_of_work() as uow:
            out = dm.file_case(
                uow.compliance.allocate_case_id(),
                customer_id,
                kind,
                subject,
                body,
                now,
                self.policy,
            )
            if isinstance(out, Refused):
                return out
            uow.compliance.add_case(out)
        ref = str(out.id)
        self.desk.step("case", ref, customer_id, "filed", f"{kind.value}: {out.subject}")
        self.desk.notify(
            customer_id, "case", ref, "case_filed", f"{_LABEL[kind]} 접수(번호 {out.id})",
            f"'{out.subject}' 건을 접수했습니다. 회사는 {when(out.deadline)} 전까지 조사 또는 처리 "
            "결과를 알려 드립니다.",
        )  # fmt: skip
        self._track(out)
        return out

    def answer(self, case_id: int, text: str, actor: str = "operator") -> Case | Refused:
        """The operator answers a case (closing it)."""
        out = self._change(case_id, lambda c, now: dm.answer(c, text, now), None)
        if isinstance(out, Case):
            ref = str(out.id)
            late = " (기한 경과)" if out.late else ""
            self.desk.step("case", ref, out.customer_id, "answered", f"by={actor}{late}")
            self.desk.notify(
                out.customer_id, "case", ref, "case_answered",
                f"{_LABEL[out.kind]} 처리 결과(번호 {out.id})", f"{out.answer}\n\n{MEDIATION}",
            )  # fmt: skip
        return out

    def withdraw(self, customer_id: str, case_id: int) -> Case | Refused:
        """The customer withdraws an open case of theirs."""
        out = self._change(case_id, dm.withdraw, customer_id)
        if isinstance(out, Case):
            ref = str(out.id)
            self.desk.step("case", ref, customer_id, "withdrawn")
            self.desk.notify(
                customer_id, "case", ref, "case_withdrawn", f"철회(번호 {out.id})",
                f"{_LABEL[out.kind]}을(를) 철회했습니다.",
            )  # fmt: skip
        return out

    def _change(
        self, case_id: int, fn: Callable[[Case, int], Case | Refused], owner: str | None
    ) -> Case | Refused:
        now = self.clock.now()
        self.sweep()  # milestones due before this change are passed (and notified) first
        with self.storage.unit_of_work() as uow:
            case = uow.compliance.get_case(case_id)
            if case is None or (owner is not None and case.customer_id != owner):
                return Refused("unknown_case", f"사건 {case_id}을(를) 찾을 수 없습니다")
            out = fn(case, now)
            if isinstance(out, Case):
                out = uow.compliance.update_case(out)
        return out

    # -- reads ------------------------------------------------------------------------------

    def get(self, case_id: int) -> Case | None:
        with self.storage.unit_of_work() as uow:
            return uow.compliance.get_case(case_id)

    def cases(self, customer_id: str | None = None, open_only: bool = False) -> list[Case]:
        with self.storage.unit_of_work() as uow:
            return uow.compliance.cases(customer_id=customer_id, open_only=open_only)

    # -- time -------------------------------------------------------------------------------

    def maybe_sweep(self, *, wall: int | None = None, now: int | None = None) -> None:
        """Pass due milestones when one is due, and reload every ``refresh_us`` of wall time
        (``wall`` / ``now``: the caller's readings of the wall clock and simulated time)."""
        if wall is None:
            wall = self.wall.now()
        stale = self._refreshed is None or wall - self._refreshed >= self.refresh_us
        due = (
            self._next_due is not None
            and (self.clock.now() if now is None else now) >= self._next_due
        )
        if stale or due:
            self.sweep()

    def sweep(self) -> list[tuple[Case, tuple[Milestone, ...]]]:
        """Pass due milestones of every open case; notify each; the cases that moved."""
        now = self.clock.now()
        moved: list[tuple[Case, tuple[Milestone, ...]]] = []
        with self.storage.unit_of_work(read_only=True) as uow:  # usually no milestone is due
            cases = uow.compliance.cases(open_only=True)
        if any(dm.advance(case, now)[1] for case in cases):
            with self.storage.unit_of_work() as uow:
                for case in uow.compliance.cases(open_only=True):
                    out, reached = dm.advance(case, now)
                    if reached:
                        moved.append((uow.compliance.update_case(out), reached))
                cases = uow.compliance.cases(open_only=True)
        dues = [d for d in (dm.next_due(c) for c in cases) if d]
        for case, reached in moved:
            for m in reached:
                self._milestone(case, m)
        self._next_due = min(dues, default=None)
        self._refreshed = self.wall.now()
        return moved

    def _track(self, case: Case) -> None:
        due = dm.next_due(case)
        if due is not None and (self._next_due is None or due < self._next_due):
            self._next_due = due

    def _milestone(self, case: Case, m: Milestone) -> None:
        ref, who = str(case.id), case.customer_id
        self.desk.step("case", ref, who, m.value, f"deadline={when(case.deadline)}")
        head = f"{_LABEL[case.kind]} {case.id}({case.subject}): 답변 기한 {when(case.deadline)}"
        if m is Milestone.REMINDER:
            self.desk.tell_operator("case", ref, who, "case_reminder", f"{head}, 미답변")
        elif m is Milestone.LAST_DAY:
            self.desk.tell_operator("case", ref, who, "case_last_day", f"{head}, 오늘이 마지막 날")
        elif m is Milestone.ESCALATED:
            self.desk.tell_operator(
                "case", ref, who, "case_escalated", f"{head}, 분쟁처리 책임자에게 이관"
            )
            self.desk.notify(
                who, "case", ref, "case_escalated", f"{_LABEL[case.kind]} 진행(번호 {case.id})",
                f"접수하신 건을 분쟁처리 책임자가 직접 처리하고 있습니다. 답변 기한은 "
                f"{when(case.deadline)}입니다.",
            )  # fmt: skip
        else:
            self.desk.tell_operator("case", ref, who, "case_overdue", f"{head}, 기한 경과")
            self.desk.notify(
                who, "case", ref, "case_overdue", f"{_LABEL[case.kind]} 지연(번호 {case.id})",
                f"약속드린 기한({when(case.deadline)}) 안에 처리 결과를 알려 드리지 못했습니다. "
                f"처리 결과는 확인되는 대로 알려 드립니다. {MEDIATION}",
            )  # fmt: skip
