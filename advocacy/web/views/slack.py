"""The team's notices posted on Slack: each post with its state and Slack's words when it
refused, and "Send again" for a failed one (behind a confirmation)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from advocacy.integrations.slack.delivery import configured
from advocacy.integrations.slack.models import PostStatus, SlackPost
from advocacy.integrations.slack.services import SlackError, posts, resend
from advocacy.web.htmx import render_page
from advocacy.web.views.customers import paginate

PER_PAGE = 50


@login_required
def slack_posts(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in PostStatus.values:
        status = ""
    counts = dict(
        SlackPost.objects.order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    context = {
        "section": "outbox",
        "page": paginate(request, posts(status=status), PER_PAGE),
        "status": status,
        "tabs": [(value, label, counts.get(value, 0)) for value, label in PostStatus.choices],
        "total": sum(counts.values()),
        "configured": configured(),
    }
    return render_page(request, "web/outbox/slack.html", context, partial="posts")


@login_required
@require_POST
def slack_post_resend(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(SlackPost, pk=pk)
    try:
        resend(post.pk, now=timezone.now())
    except SlackError as exc:
        messages.error(request, f"Not queued again: {exc}.")
    else:
        messages.success(
            request, f"Queued again: the post to {post.to} goes at the worker's next pass."
        )
    return redirect(f"{reverse('web:slack_posts')}?status=failed")
