"""Plays: the playbook as loaded, what each play decided, running it, and replaying it.

Loading and running go through the engine's services (`load_playbook`, `run_plays`), the same
ones as `advocacy playbook load` and `advocacy run`. The simulation is a GET: it replays inside
a transaction that is rolled back, so it writes nothing. It is a job (advocacy.engine.jobs): a
period asked for starts one and lands on the address of its result (`?start&end&job`), which
shows the job's progress bar until the chart is ready, and can be bookmarked.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from advocacy.core.models import Job
from advocacy.core.review_sites import site_label
from advocacy.engine.evaluation import PlayRun, run_plays
from advocacy.engine.jobs import SIMULATION, start_simulation
from advocacy.engine.models import Decision, Play
from advocacy.engine.plays import DEFAULT_PLAYBOOK, PlaybookError, load_playbook
from advocacy.engine.simulation import Simulation
from advocacy.engine.solicitation import solicitation_warning
from advocacy.pipeline.models import Ask, AskType
from advocacy.web import charts, playbook_text
from advocacy.web.engine_forms import DecisionFilterForm, SimulationForm
from advocacy.web.htmx import render_page, wants_partial
from advocacy.web.views.engine import (
    OUTCOME_SERIES,
    OUTCOME_WORDS,
    PolicyProblem,
    actor,
    ask_type_names,
    outcome_summary,
    policy_in_force,
    policy_or_message,
)

DECISIONS_SHOWN = 100


@dataclass
class PlayRow:
    play: Play
    trigger: str
    ask: str
    holdout: str
    counts: dict[str, int]
    total: int
    asks_opened: int

    @property
    def breakdown(self) -> list[tuple[str, str, int]]:
        """(outcome, word, count) for the outcomes this play has decided at least once."""
        return [
            (key, word, self.counts[key]) for key, word in OUTCOME_WORDS.items() if self.counts[key]
        ]


def _play_rows() -> list[PlayRow]:
    """Every play with its decisions counted by outcome (one query) and its asks (one more)."""
    per_outcome = {
        f"n_{key}": Count("decisions", filter=Q(decisions__outcome=key)) for key in OUTCOME_WORDS
    }
    plays = Play.objects.annotate(n_total=Count("decisions"), **per_outcome).order_by("name")
    opened = dict(
        Ask.objects.exclude(play="")
        .order_by()
        .values("play")
        .annotate(n=Count("pk"))
        .values_list("play", "n")
    )
    names = ask_type_names()
    rows = []
    for play in plays:
        values: dict[str, Any] = vars(play)
        d = play.definition
        rows.append(
            PlayRow(
                play=play,
                trigger=playbook_text.trigger_text(d),
                ask=names.get(d.get("ask", ""), d.get("ask", "")),
                holdout=playbook_text.holdout_text(d),
                counts={key: values[f"n_{key}"] for key in OUTCOME_WORDS},
                total=values["n_total"],
                asks_opened=opened.get(play.name, 0),
            )
        )
    return rows


def _render_list(request: HttpRequest, load_errors: list[str], status: int = 200) -> HttpResponse:
    rows = _play_rows()
    context = {
        "section": "plays",
        "rows": rows,
        "outcomes": OUTCOME_WORDS,
        "load_errors": load_errors,
        "playbook_dir": settings.PLAYBOOK_DIR,
        "is_default_playbook": Path(settings.PLAYBOOK_DIR).resolve() == DEFAULT_PLAYBOOK.resolve(),
        "any_enabled": any(row.play.enabled for row in rows),
    }
    return render_page(request, "web/plays/list.html", context, status=status)


@login_required
def play_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request, [])


@login_required
@require_POST
def playbook_load(request: HttpRequest) -> HttpResponse:
    """Load the playbook folder: every play or, on any error, none (the errors are listed)."""
    try:
        result = load_playbook(Path(settings.PLAYBOOK_DIR), now=timezone.now())
    except PlaybookError as exc:
        return _render_list(request, [str(error) for error in exc.errors], status=400)
    messages.success(request, f"Loaded {len(result.plays)} play(s) from the playbook.")
    for warning in result.warnings:
        messages.warning(request, f"{warning.file}: {warning.message}.")
    return redirect("web:plays")


def _run_message(runs: list[PlayRun]) -> str:
    totals: dict[str, int] = {}
    for run in runs:
        for key, count in run.outcomes.items():
            totals[key] = totals.get(key, 0) + count
    considered = sum(run.considered for run in runs)
    return (
        f"Ran {len(runs)} play(s): {considered:,} candidate(s) considered; "
        f"{outcome_summary(totals)}."
    )


@login_required
@require_POST
def playbook_run(request: HttpRequest) -> HttpResponse:
    """Evaluate every enabled play now, opening asks as the scheduler would."""
    policy = policy_or_message(request)
    if policy is not None:
        runs = run_plays(now=timezone.now(), policy=policy, actor=actor(request))
        if runs:
            messages.success(request, _run_message(runs))
        else:
            messages.warning(request, "No enabled play to run: load the playbook first.")
    return redirect("web:plays")


@login_required
@require_POST
def play_run(request: HttpRequest, name: str) -> HttpResponse:
    play = get_object_or_404(Play, name=name)
    policy = policy_or_message(request)
    if policy is not None:
        if not play.enabled:
            messages.warning(request, "This play is disabled, so it was not run.")
        else:
            runs = run_plays(
                now=timezone.now(), names=[play.name], policy=policy, actor=actor(request)
            )
            messages.success(request, _run_message(runs))
    return redirect("web:play", name=play.name)


def _definition(play: Play) -> dict[str, Any]:
    """The play's YAML in words, for the definition card."""
    d = play.definition
    alternatives = d.get("alternatives", [])
    codes = [code for code in (d.get("ask"), d.get("fallback"), *alternatives) if code]
    types = {t.code: t for t in AskType.objects.filter(code__in=codes)}
    ask = types.get(d.get("ask", ""))
    fallback = types.get(d.get("fallback", ""))
    own = playbook_text.condition_text(ask.prerequisites if ask else None)
    return {
        "description": d.get("description", ""),
        "trigger": playbook_text.trigger_text(d),
        "audience": playbook_text.condition_tree(d.get("audience")),
        "ask": ask,
        "ask_code": d.get("ask", ""),
        # Every ask passes the policy's rules (docs/policy.md); a type may add its own.
        "prerequisites": "the policy's rules" + ("" if own == "everyone" else f", and {own}"),
        "alternatives": [types[c].name if c in types else c for c in alternatives],
        "widen_stages": ", ".join(d.get("widen_stages", [])),
        "channels": playbook_text.channels_text(d),
        "timing": playbook_text.timing_text(d),
        "incentive": d.get("incentive", ""),
        "site": site_label(d["site"]) if d.get("site") else "",
        "owner": playbook_text.owner_text(d),
        "sla": playbook_text.sla_text(d),
        "start": "queued (sent without review)"
        if d.get("start") == "queued"
        else "proposed (a person reviews it first)",
        "fallback": fallback.name if fallback else d.get("fallback", ""),
        "holdout": playbook_text.holdout_text(d),
    }


@login_required
def play_detail(request: HttpRequest, name: str) -> HttpResponse:
    play = get_object_or_404(Play, name=name)
    form = DecisionFilterForm(request.GET)
    counts = dict(
        Decision.objects.filter(play=play)
        .order_by()
        .values("outcome")
        .annotate(n=Count("pk"))
        .values_list("outcome", "n")
    )
    decisions = play.decisions.select_related("contact", "contact__account").order_by(
        "-decided_at", "-id"
    )
    if form.outcome_value():
        decisions = decisions.filter(outcome=form.outcome_value())
    context = {
        "section": "plays",
        "play": play,
        "definition": _definition(play),
        "warnings": [w.message for w in [solicitation_warning(play.definition)] if w],
        "form": form,
        "counts": [(key, word, counts.get(key, 0)) for key, word in OUTCOME_WORDS.items()],
        "total": sum(counts.values()),
        "asks_opened": Ask.objects.filter(play=play.name).count(),
        "decisions": list(decisions[:DECISIONS_SHOWN]),
        "decisions_shown": DECISIONS_SHOWN,
        "outcome_words": OUTCOME_WORDS,
        "sim_form": SimulationForm(initial=SimulationForm.defaults(timezone.localdate())),
    }
    return render_page(request, "web/plays/detail.html", context, partial="decisions")


def _chart(result: Simulation) -> charts.StackedBars:
    days = [week.starts for week in result.weeks]  # as the CLI shows them
    labels = [f"{day.day} {day:%b}" for day in days]
    titles = [f"Week of {day.day} {day:%b %Y}" for day in days]
    rows = [dict(week.outcomes) for week in result.weeks]
    return charts.stacked_bars(labels, rows, OUTCOME_SERIES, titles=titles)


def _simulation_job(request: HttpRequest, play: Play) -> Job | None:
    """The simulation job of this play named by ?job=, if any (404 for another job)."""
    given = request.GET.get("job", "")
    if not given:
        return None
    job = Job.objects.filter(pk=int(given) if given.isdigit() else 0, kind=SIMULATION).first()
    if job is None or job.params.get("plays") != [play.name]:
        raise Http404(f"no simulation {given} of {play.name}")
    return job


@login_required
def play_simulate(request: HttpRequest, name: str) -> HttpResponse:
    """Replay this play over a period, day by day, and chart its decisions week by week.

    A period asked for starts the replay as a job and lands on `?start&end&job`, where the
    job's progress bar stands until the chart is ready."""
    play = get_object_or_404(Play, name=name)
    job = _simulation_job(request, play)
    asked_for = "start" in request.GET or "end" in request.GET
    data = request.GET if asked_for else SimulationForm.defaults(timezone.localdate())
    form = SimulationForm(data)
    result: Simulation | None = None
    problem = ""
    if job is not None:
        if job.state == "done":
            result = Simulation.from_dict(job.result)
        elif job.state == "failed":
            problem = f"The simulation failed: {job.message}"
    elif asked_for and form.is_valid():
        if not play.enabled:
            problem = (
                "This play is disabled (enabled: false in its file, or no longer in the "
                "playbook folder), so there is nothing to replay."
            )
        else:
            try:
                policy_in_force()  # a broken policy file is said here, not in the job
            except PolicyProblem as exc:
                problem = str(exc)
            else:
                start, end = form.period()
                job = start_simulation(
                    start, end, names=[play.name], now=timezone.now(), actor=actor(request)
                )
                query: dict[str, str | int] = {
                    "start": str(data["start"]),
                    "end": str(data["end"]),
                    "job": job.pk,
                }
                address = f"{reverse('web:play_simulate', kwargs={'name': play.name})}?"
                address += urlencode(query)
                if not wants_partial(request):
                    return redirect(address)
                if job.state == "done":
                    result = Simulation.from_dict(job.result)
                response = _render_simulation(request, play, form, job, result, problem)
                response["HX-Push-Url"] = address
                return response
    return _render_simulation(request, play, form, job, result, problem)


def _render_simulation(
    request: HttpRequest,
    play: Play,
    form: SimulationForm,
    job: Job | None,
    result: Simulation | None,
    problem: str,
) -> HttpResponse:
    chart = _chart(result) if result else None
    totals = result.totals() if result else {}
    context = {
        "section": "plays",
        "play": play,
        "sim_form": form,
        "result": result,
        "problem": problem,
        "job": job if job is not None and not job.finished else None,
        "then": "reload",
        "chart": chart,
        "rows": list(zip(chart.groups, result.weeks, strict=True)) if chart and result else [],
        "totals": [(s.key, s.label, totals.get(s.key, 0)) for s in OUTCOME_SERIES],
        "summary": outcome_summary(totals),
        "label": (
            f"Decisions {play.title} would have made, week by week: {outcome_summary(totals)}"
        ),
    }
    return render_page(request, "web/plays/simulate.html", context, partial="simulation")
