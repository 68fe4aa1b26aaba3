"""The review sites a review play may invite to, each with its rule on selective solicitation.

`ADVOCACY_REVIEW_SITES` is `site:rule` pairs separated by commas, where the rule is
`forbids-selective` (the site's guidelines forbid inviting only happy customers) or `allows`.
"""

from __future__ import annotations

import re

FORBIDS_SELECTIVE = "forbids-selective"
ALLOWS = "allows"
RULES = (FORBIDS_SELECTIVE, ALLOWS)
SITE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,49}$")

# G2's and Capterra's published guidelines forbid soliciting only positive reviewers;
# TrustRadius invites any customer list and weights what it receives.
DEFAULT_REVIEW_SITES = "g2:forbids-selective,capterra:forbids-selective,trustradius:allows"

# How the product names the best-known sites; any other is shown as written.
SITE_LABELS = {"g2": "G2", "capterra": "Capterra", "trustradius": "TrustRadius"}


def site_label(site: str) -> str:
    return SITE_LABELS.get(site, site)


def parse_review_sites(text: str) -> dict[str, str]:
    """`g2:forbids-selective,trustradius:allows` → {site: rule}; ValueError naming the item."""
    sites: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        site, sep, rule = (x.strip() for x in item.partition(":"))
        if not sep or not site or not rule:
            raise ValueError(f"expected site:rule pairs separated by commas ({item!r})")
        if not SITE_NAME.match(site):
            raise ValueError(
                f"{site!r} is not a site name (lower-case letters, digits and hyphens)"
            )
        if rule not in RULES:
            raise ValueError(f"{site}: the rule {rule!r} is not one of {', '.join(RULES)}")
        if site in sites:
            raise ValueError(f"{site} is given twice")
        sites[site] = rule
    if not sites:
        raise ValueError("expected at least one site:rule pair")
    return sites
