"""The results page of the header's search box: what starts with the text, grouped by type."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from advocacy.web.htmx import render_page
from advocacy.workqueue.search import MAX_LENGTH, Results, search

# Each group: its heading, the page of one hit, and the list that shows them all.
GROUP_PAGES = {
    "contacts": ("Contacts", "web:contact", "web:contacts"),
    "accounts": ("Accounts", "web:account", "web:accounts"),
    "asks": ("Asks", "web:ask", ""),
    "requests": ("Reference requests", "web:reference", ""),
    "content": ("Content", "web:asset", "web:content"),
}


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "")
    problem = ""
    try:
        results = search(text, user=request.user)
    except ValueError as exc:
        results, problem = Results(text[:MAX_LENGTH]), str(exc)
    groups = [
        {
            "name": name,
            "label": GROUP_PAGES[name][0],
            "page": GROUP_PAGES[name][1],
            "list": GROUP_PAGES[name][2],
            "hits": hits,
            "more": results.more[name],
        }
        for name, hits in results.groups.items()
    ]
    context = {"section": "search", "q": text, "results": results, "groups": groups,
               "problem": problem}  # fmt: skip
    return render_page(request, "web/search/results.html", context, partial="results")
