"""Render an asset from the seed template (seeds 001 and 003) to HTML and PDF.

Only what the consent in force covers appears: without `name` the customer is "a <industry>
company" (and their name is taken out of the free text too), without `title` no job title,
without `logo` no logo, without `quote` no quote, without `video` no video link. The PDF is the
same HTML laid out by WeasyPrint, so the preview and the download never disagree.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.template.loader import render_to_string

from advocacy.content.models import Asset, AssetKind


@dataclass(frozen=True)
class Rendered:
    """The consented view of an asset: what the template may show."""

    kind: str
    kind_label: str
    title: str
    company: str  # the account's name, or "a <industry> company"
    heading: str  # "[Customer Name]: [Compelling Result]"
    named: bool
    logo: str  # the wordmark to show, or "" when the logo is not granted
    attribution: str  # "— Name, Title, Company", as far as consent goes
    facts: list[tuple[str, str]] = field(default_factory=list)
    overview: str = ""
    challenge: str = ""
    solution: str = ""
    results: list[str] = field(default_factory=list)
    quote: str = ""
    look_ahead: str = ""
    body: str = ""
    url: str = ""
    withheld: list[str] = field(default_factory=list)  # what consent kept out, for the preview


def anonymous_company(industry: str) -> str:
    industry = industry.strip()
    if not industry:
        return "a customer company"
    article = "an" if industry[0].lower() in "aeiou" else "a"
    return f"{article} {industry} company"


def _pattern(names: set[str]) -> re.Pattern[str] | None:
    names = {n.strip() for n in names if len(n.strip()) >= 2}
    if not names:
        return None
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)


def _scrubber(asset: Asset, company: str) -> Callable[[str], str]:
    """Take the names consent withholds out of free text: the company's becomes `company`
    ("a manufacturing company"), the person's "the customer"."""
    if asset.may_name:
        return lambda text: text
    contact = asset.contact
    companies = _pattern({asset.account.name})
    people = _pattern({contact.full_name, contact.first_name, contact.last_name})

    def clean(text: str) -> str:
        if companies:
            text = companies.sub(company, text)
        if people:
            text = people.sub("the customer", text)
        return text

    return clean


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def consented_view(asset: Asset) -> Rendered:
    """What of `asset` may be shown under its consent in force."""
    account, contact = asset.account, asset.contact
    named = asset.may_name
    company = account.name if named else anonymous_company(account.industry)
    clean = _scrubber(asset, company)
    who = [contact.full_name] if named and contact.full_name else []
    if asset.may_title and contact.title:
        who.append(contact.title)
    who.append(_capitalised(company))
    facts = [("Industry", account.industry), ("Size", account.get_size_band_display())]
    facts.append(("Region", account.get_region_display()))
    headline = clean(asset.headline) or clean(asset.title)
    withheld = [
        label
        for granted, label in (
            (asset.may_name, "name"),
            (asset.may_logo, "logo"),
            (asset.may_title, "title"),
            (asset.may_quote, "quote"),
            (asset.may_video, "video"),
        )
        if not granted
    ]
    quote = asset.quote if asset.kind == AssetKind.CASE_STUDY else asset.body
    is_quote_kind = asset.kind in (AssetKind.QUOTE, AssetKind.TESTIMONIAL)
    return Rendered(
        kind=asset.kind,
        kind_label=AssetKind(asset.kind).label,
        title=_capitalised(clean(asset.title)),
        company=company,
        heading=f"{_capitalised(company)}: {headline}",
        named=named,
        logo=account.name if asset.may_logo and named else "",
        attribution="— " + ", ".join(who),
        facts=[(k, v) for k, v in facts if v],
        overview=clean(asset.overview),
        challenge=clean(asset.challenge),
        solution=clean(asset.solution),
        results=[clean(r) for r in asset.results],
        quote=clean(quote) if asset.may_quote else "",
        look_ahead=clean(asset.look_ahead),
        body="" if is_quote_kind else clean(asset.body),
        url=asset.url
        if asset.kind not in (AssetKind.VIDEO, AssetKind.WEBINAR) or asset.may_video
        else "",
        withheld=withheld,
    )


def render_html(asset: Asset) -> str:
    """The asset as a standalone HTML document (the case study template for case studies)."""
    return render_to_string("content/asset.html", {"r": consented_view(asset), "asset": asset})


def render_pdf(asset: Asset) -> bytes:
    """The asset as a PDF: the HTML of `render_html`, laid out by WeasyPrint."""
    # Imported here, not at the top: WeasyPrint loads Pango and its fonts, a third of a second
    # that every command and worker paid at start-up through the URLconf (docs/benchmarks.md).
    from weasyprint import HTML

    return bytes(HTML(string=render_html(asset)).write_pdf())


def filename(asset: Asset, extension: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", consented_view(asset).title.lower()).strip("-")
    return f"{asset.kind.replace('_', '-')}-{asset.pk}-{slug[:60] or 'asset'}.{extension}"
