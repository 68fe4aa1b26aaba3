"""Advocates (who is ready for what) and, on a contact's page, the next best ask and its why.

The advocates list reads the materialised ContactProfile table (stage, rung, ready asks), so it
costs a fixed number of queries; the contact's next best ask is computed live by the engine
(`next_best_asks`) from the same compiled conditions the plays use.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from advocacy.customers.models import Contact
from advocacy.engine.explain import next_best_asks
from advocacy.engine.jobs import start_profile_refresh
from advocacy.engine.models import ContactProfile, Decision
from advocacy.engine.reciprocity import balances
from advocacy.web.engine_forms import AdvocateFilterForm
from advocacy.web.htmx import render_page
from advocacy.web.sorting import Columns, nulls_last, sorting
from advocacy.web.views.customers import LIST_PAGE_SIZE, paginate
from advocacy.web.views.engine import (
    PolicyProblem,
    actor,
    ask_type_names,
    policy_in_force,
    policy_or_message,
)

CONTACT_ROWS = 20
# Readiness: the most ask types ready for first, then the best NPS, then the best health.
# Descending by default; a profile without a score comes after those with one either way.
ADVOCATE_COLUMNS: Columns = {
    "readiness": ["ready_count", nulls_last("nps"), nulls_last("health")],
    "name": ["contact__last_name", "contact__first_name"],
    "account": ["contact__account__name"],
    "stage": ["stage"],
    "nps": [nulls_last("nps")],
    "health": [nulls_last("health")],
}


@login_required
def advocate_list(request: HttpRequest) -> HttpResponse:
    ask_types = ask_type_names()
    form = AdvocateFilterForm(request.GET, ask_types=ask_types)
    order = sorting(request, ADVOCATE_COLUMNS, "-readiness")
    profiles = form.filter(ContactProfile.objects.select_related("contact", "contact__account"))
    as_of = ContactProfile.objects.aggregate(latest=Max("as_of"))["latest"]
    context = {
        "section": "advocates",
        "form": form,
        "order": order,
        "page": paginate(request, order.apply(profiles), LIST_PAGE_SIZE),
        "as_of": as_of,
        "has_any": as_of is not None,
        "ask_types": ask_types,
    }
    return render_page(request, "web/advocates/list.html", context, partial="results")


@login_required
@require_POST
def advocates_refresh(request: HttpRequest) -> HttpResponse:
    """Compute every contact's profile now, as a job (the background job keeps them fresh
    after); its page shows the progress and then how many were computed."""
    if policy_or_message(request) is None:
        return redirect("web:advocates")
    job = start_profile_refresh(now=timezone.now(), actor=actor(request))
    return redirect("web:job", pk=job.pk)


@login_required
def contact_next_ask(request: HttpRequest, pk: int) -> HttpResponse:
    """The next best asks with their reasons, the contact's asks and the engine's decisions.

    Loaded into the contact page by htmx; as a plain link it is a page of its own.
    """
    contact = get_object_or_404(Contact.objects.select_related("account"), pk=pk)
    try:
        explanation = next_best_asks(contact, now=timezone.now(), policy=policy_in_force())
        problem = ""
    except PolicyProblem as exc:
        explanation, problem = None, str(exc)
    options = explanation.options if explanation else []
    at = explanation.as_of if explanation else timezone.now()
    context = {
        "reciprocity": balances([contact.pk], at)[contact.pk],
        "give_before_ask": explanation is not None and policy_in_force().give_before_ask,
        "section": "contacts",
        "contact": contact,
        "account": contact.account,
        "explanation": explanation,
        "problem": problem,
        "ready": [option for option in options if option.ready],
        "not_ready": [option for option in options if not option.ready],
        "asks": list(
            contact.asks.select_related("ask_type").order_by("-opened_at", "-id")[:CONTACT_ROWS]
        ),
        "decisions": list(
            Decision.objects.filter(contact=contact)
            .select_related("play")
            .order_by("-decided_at", "-id")[:CONTACT_ROWS]
        ),
    }
    return render_page(request, "web/contacts/next_ask.html", context, partial="next_ask")
