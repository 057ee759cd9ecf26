"""The steps a case page offers, and the POST that takes one.

Which forms a page shows is a courtesy worked out from the status and the user's acting roles
(the same sets the services use); the service function called on POST is the real guard, and its
refusals (409 state, 403 person, bad input) come back as messages and form errors.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from firegrid.core.roles import Role
from firegrid.hazards import actions, escalation, forms, reporter_actions
from firegrid.hazards.actions import DISTRICT_HANDLERS, GRID_HANDLERS, WHISTLERS, TransitionError, handlers
from firegrid.hazards.choices import OPEN_STATUSES, CaseStatus, Level
from firegrid.hazards.models import HazardCase
from firegrid.hazards.views import reporter


def _always(case):
    return True


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    form_class: type
    statuses: frozenset
    roles: object  # case -> set of roles that may take the step
    run: object  # (case, user, cleaned_data) -> event
    done: str
    applies: object = _always  # case -> bool: further conditions on the case
    primary: bool = True  # moves the case along (else a side step: comment, escalate…)

    def offered(self, case, roles):
        return case.status in self.statuses and self.applies(case) and bool(roles & self.roles(case))


def _v(data):
    return data.get("version")


STEPS = [
    Step(
        "confirm",
        gettext_lazy("Confirm"),
        forms.ConfirmForm,
        frozenset({CaseStatus.REPORTED}),
        handlers,
        lambda case, user, d: actions.confirm(
            case,
            actor=user,
            severity=d.get("severity") or None,
            category=d.get("category"),
            note=d.get("note", ""),
            expect_version=_v(d),
        ),
        gettext_lazy("Confirmed."),
    ),
    Step(
        "order",
        gettext_lazy("Order rectification"),
        forms.OrderForm,
        frozenset({CaseStatus.CONFIRMED}),
        handlers,
        lambda case, user, d: actions.order(
            case,
            actor=user,
            deadline=d.get("deadline"),
            responsible_party=d.get("responsible_party", ""),
            responsible_phone=d.get("responsible_phone", ""),
            note=d.get("note", ""),
            expect_version=_v(d),
        ),
        gettext_lazy("Rectification ordered; the notice can be printed now."),
    ),
    Step(
        "start",
        gettext_lazy("Rectification started"),
        forms.NoteForm,
        frozenset({CaseStatus.ORDERED}),
        lambda case: handlers(case) | {Role.UNIT_OWNER},
        lambda case, user, d: actions.start(case, actor=user, note=d.get("note", ""), expect_version=_v(d)),
        gettext_lazy("Rectification started."),
    ),
    Step(
        "rectified",
        gettext_lazy("Report rectified"),
        forms.RectifiedForm,
        frozenset({CaseStatus.ORDERED, CaseStatus.RECTIFYING}),
        lambda case: handlers(case) | {Role.UNIT_OWNER},
        lambda case, user, d: actions.rectified(
            case, actor=user, note=d["note"], files=d.get("photos") or (), expect_version=_v(d)
        ),
        gettext_lazy("Rectification reported; it awaits re-inspection."),
    ),
    Step(
        "reinspect",
        gettext_lazy("Re-inspect"),
        forms.ReinspectForm,
        frozenset({CaseStatus.RECTIFIED}),
        handlers,
        lambda case, user, d: actions.reinspect(
            case,
            actor=user,
            passed=d["passed"],
            note=d.get("note", ""),
            deadline=d.get("deadline"),
            files=d.get("photos") or (),
            expect_version=_v(d),
        ),
        gettext_lazy("Re-inspection recorded."),
    ),
    Step(
        "close",
        gettext_lazy("Close the case"),
        forms.NoteForm,
        frozenset({CaseStatus.REINSPECTED}),
        handlers,
        lambda case, user, d: actions.close(case, actor=user, note=d.get("note", ""), expect_version=_v(d)),
        gettext_lazy("Case closed."),
    ),
    Step(
        "reject",
        gettext_lazy("Reject"),
        reporter.HonestRejectForm,
        frozenset({CaseStatus.REPORTED, CaseStatus.CONFIRMED}),
        handlers,
        lambda case, user, d: reporter_actions.reject(
            case,
            actor=user,
            reason=d["reason"],
            close_reason=d["close_reason"],
            duplicate_of=d.get("duplicate_of"),
            referred_to=d.get("referred_to", ""),
            expect_version=_v(d),
        ),
        gettext_lazy("Report rejected."),
        primary=False,
    ),
    Step(
        "review",
        gettext_lazy("Review the reopened case"),
        reporter.ReviewForm,
        frozenset({CaseStatus.REOPENED}),
        handlers,
        lambda case, user, d: reporter_actions.review_reopened(
            case, actor=user, still_hazard=d["still_hazard"], note=d.get("note", ""), expect_version=_v(d)
        ),
        gettext_lazy("Review recorded."),
    ),
    Step(
        "escalate",
        gettext_lazy("Escalate"),
        forms.EscalateForm,
        OPEN_STATUSES,
        lambda case: handlers(case) | GRID_HANDLERS,
        lambda case, user, d: escalation.escalate(case, actor=user, reason=d["reason"], expect_version=_v(d)),
        gettext_lazy("Escalated."),
        applies=lambda case: case.level in escalation.NEXT_LEVEL,
        primary=False,
    ),
    Step(
        "whistle",
        gettext_lazy("Call in a department"),
        forms.WhistleForm,
        OPEN_STATUSES,
        lambda case: WHISTLERS,
        lambda case, user, d: escalation.whistle(
            case, actor=user, department=d["department"], reason=d["reason"], expect_version=_v(d)
        ),
        gettext_lazy("The department has been called in; it must check in."),
        applies=lambda case: case.level != Level.GRID,
        primary=False,
    ),
    Step(
        "checkin",
        gettext_lazy("Check in"),
        forms.NoteForm,
        OPEN_STATUSES,
        lambda case: {Role.DEPT_STAFF},
        lambda case, user, d: escalation.check_in(
            case, actor=user, note=d.get("note", ""), expect_version=_v(d)
        ),
        gettext_lazy("Checked in: the department holds the case with the street."),
        applies=lambda case: bool(case.department_id) and not case.checked_in_at,
    ),
    Step(
        "supervise",
        gettext_lazy("Supervise"),
        forms.SuperviseForm,
        OPEN_STATUSES,
        lambda case: DISTRICT_HANDLERS,
        lambda case, user, d: escalation.supervise(
            case, actor=user, reason=d["reason"], due=d.get("due"), expect_version=_v(d)
        ),
        gettext_lazy("The case is under district supervision."),
        primary=False,
    ),
    Step(
        "comment",
        gettext_lazy("Comment"),
        forms.CommentForm,
        frozenset(CaseStatus),
        lambda case: set(Role),
        lambda case, user, d: actions.comment(
            case, actor=user, note=d["note"], public=d.get("public", False), files=d.get("photos") or ()
        ),
        gettext_lazy("Comment added."),
        primary=False,
    ),
]
STEPS_BY_NAME = {step.name: step for step in STEPS}


def offered_steps(case, user, bound=None):
    """[(step, form)] the user may take now; `bound` is a (name, form) to show with its errors."""
    roles = actions.acting_roles(case, user)
    result = []
    for step in STEPS:
        if bound is not None and bound[0] == step.name:
            result.append((step, bound[1]))
        elif step.offered(case, roles):
            result.append((step, step.form_class(case=case, user=user, prefix=step.name)))
    return result


def put_errors(form, exc):
    """A service's ValidationError onto the form: on its fields where it has them, else on the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        target = name if name in form.fields else None
        for error in errors:
            form.add_error(target, error)


class StepView(LoginRequiredMixin, View):
    """POST /hazards/<pk>/<step>/: take one step; errors come back on the case page, never a 500."""

    http_method_names = ["post"]

    def post(self, request, pk, step):
        spec = STEPS_BY_NAME.get(step)
        if spec is None:
            raise Http404
        case = get_object_or_404(HazardCase.objects.restrict(request.user), pk=pk)
        form = spec.form_class(request.POST, request.FILES, case=case, user=request.user, prefix=spec.name)
        detail = reverse("hazards:detail", args=[case.pk])
        if not form.is_valid():
            if "version" in form.errors:
                messages.error(request, _("The page was incomplete; reload it and try again."))
                return HttpResponseRedirect(detail)
            return self.show_errors(request, case, spec, form)
        try:
            spec.run(case, request.user, form.cleaned_data)
        except TransitionError as exc:
            messages.error(request, self.explain(exc))
            return HttpResponseRedirect(detail)
        except ValidationError as exc:
            put_errors(form, exc)
            return self.show_errors(request, case, spec, form)
        messages.success(request, str(spec.done))
        return HttpResponseRedirect(detail)

    def explain(self, exc):
        if exc.field == "version":
            return _(
                "Someone changed this case meanwhile, so nothing was saved. The page now shows the "
                "current state: check it and try again."
            )
        return str(exc.message)

    def show_errors(self, request, case, spec, form):
        from firegrid.hazards.views.cases import CaseDetailView

        view = CaseDetailView(request=request, kwargs={"pk": case.pk}, args=())
        view.object = view.get_object()
        context = view.get_context_data(object=view.object, bound_step=(spec.name, form))
        response = view.render_to_response(context)
        response.status_code = 400
        return response
