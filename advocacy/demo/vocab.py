"""Word lists the demo generator draws from: industries, titles, products, comments.

Everything here is invented for the demo. Company domains end in `.example.com` (reserved by
RFC 2606), so no generated address can ever reach a real mailbox.
"""

from __future__ import annotations

from typing import Final

from advocacy.customers.models import Persona, Region, SizeBand

DOMAIN_SUFFIX: Final = "example.com"

# name, weight, nouns used to make company names, use cases, sensitive (defense/finance-like)
INDUSTRIES: Final[tuple[tuple[str, int, tuple[str, ...], tuple[str, ...], bool], ...]] = (
    (
        "SaaS",
        16,
        ("Software", "Labs", "Cloud", "Systems", "Apps", "Digital"),
        ("Product analytics", "Customer onboarding", "Usage-based billing"),
        False,
    ),
    (
        "Fintech",
        9,
        ("Pay", "Capital", "Ledger", "Finance", "Money"),
        ("Payment reconciliation", "Fraud review", "Month-end close"),
        True,
    ),
    (
        "Banking",
        4,
        ("Bank", "Trust", "Savings", "Bancorp"),
        ("Branch operations", "Regulatory reporting", "Loan servicing"),
        True,
    ),
    (
        "Insurance",
        4,
        ("Mutual", "Assurance", "Insurance", "Underwriters"),
        ("Claims handling", "Policy renewals", "Broker portal"),
        False,
    ),
    (
        "Healthcare",
        10,
        ("Health", "Medical", "Clinics", "Care", "Biotech"),
        ("Patient intake", "Care coordination", "Clinical scheduling"),
        False,
    ),
    (
        "Retail",
        10,
        ("Outfitters", "Market", "Stores", "Goods", "Supply Co"),
        ("Store operations", "Loyalty program", "Inventory planning"),
        False,
    ),
    (
        "E-commerce",
        7,
        ("Shop", "Commerce", "Direct", "Marketplace"),
        ("Checkout optimisation", "Returns handling", "Merchandising"),
        False,
    ),
    (
        "Manufacturing",
        10,
        ("Industries", "Manufacturing", "Works", "Fabrication", "Components"),
        ("Shop-floor reporting", "Supplier quality", "Maintenance planning"),
        False,
    ),
    (
        "Education",
        7,
        ("Academy", "Learning", "University", "Schools", "Education"),
        ("Student success", "Course operations", "Admissions"),
        False,
    ),
    (
        "Media",
        6,
        ("Media", "Studios", "Publishing", "Broadcasting", "Press"),
        ("Content operations", "Audience growth", "Ad sales"),
        False,
    ),
    (
        "Logistics",
        8,
        ("Logistics", "Freight", "Transport", "Shipping", "Fleet"),
        ("Shipment tracking", "Warehouse operations", "Route planning"),
        False,
    ),
    (
        "Government",
        4,
        ("Agency", "County Services", "Public Works", "Authority"),
        ("Citizen services", "Case management", "Grants administration"),
        False,
    ),
    (
        "Defense",
        2,
        ("Defense Systems", "Aerospace", "Dynamics"),
        ("Program reporting", "Secure collaboration", "Supplier audits"),
        True,
    ),
    (
        "Energy",
        3,
        ("Energy", "Power", "Utilities", "Renewables"),
        ("Field service", "Asset monitoring", "Outage response"),
        False,
    ),
    (
        "Professional services",
        5,
        ("Partners", "Consulting", "Advisory", "Group"),
        ("Client reporting", "Resource planning", "Time tracking"),
        False,
    ),
)

# Region, share of accounts, Faker locales for names in that region.
REGIONS: Final[tuple[tuple[Region, int, tuple[str, ...]], ...]] = (
    (Region.NORTH_AMERICA, 45, ("en_US", "en_CA")),
    (Region.EMEA, 30, ("en_GB", "de_DE", "fr_FR", "nl_NL", "es_ES")),
    (Region.APAC, 15, ("en_AU", "en_IN", "en_NZ")),
    (Region.LATIN_AMERICA, 10, ("es_MX", "pt_BR")),
)

# Legal-form suffixes by locale; blanks make "no suffix" the most common.
COMPANY_SUFFIXES: Final[dict[str, tuple[str, ...]]] = {
    "en_US": ("", "", "Inc.", "LLC", "Corp."),
    "en_CA": ("", "", "Inc.", "Ltd"),
    "en_GB": ("", "", "Ltd", "plc"),
    "de_DE": ("", "GmbH", "GmbH", "AG"),
    "fr_FR": ("", "SA", "SAS"),
    "nl_NL": ("", "BV", "NV"),
    "es_ES": ("", "SL", "SA"),
    "en_AU": ("", "", "Pty Ltd"),
    "en_IN": ("", "Pvt Ltd", "Ltd"),
    "en_NZ": ("", "", "Ltd"),
    "es_MX": ("", "SA de CV"),
    "pt_BR": ("", "Ltda", "SA"),
}

# Size band, share of accounts, employees range, ARR range (USD), contacts weight.
SIZE_BANDS: Final[tuple[tuple[SizeBand, int, tuple[int, int], tuple[int, int], float], ...]] = (
    (SizeBand.SMB, 45, (8, 99), (6_000, 40_000), 0.45),
    (SizeBand.MID_MARKET, 35, (100, 999), (30_000, 220_000), 1.0),
    (SizeBand.ENTERPRISE, 15, (1_000, 9_999), (150_000, 1_200_000), 2.0),
    (SizeBand.STRATEGIC, 5, (10_000, 180_000), (800_000, 5_000_000), 3.2),
)

PRODUCTS: Final = (
    "Core Platform",
    "Analytics",
    "Automation",
    "Integrations Hub",
    "Mobile",
    "Security & Compliance",
    "AI Assistant",
)

COMPETITORS: Final = (
    "Northbeam",
    "Quillstack",
    "Brightwell Suite",
    "Corvid CRM",
    "Tallyhawk",
    "Ostrava One",
    "spreadsheets",
    "an in-house tool",
)

# Persona, share of contacts, titles that fit it.
PERSONAS: Final[tuple[tuple[Persona, int, tuple[str, ...]], ...]] = (
    (
        Persona.EXECUTIVE,
        8,
        (
            "Chief Executive Officer",
            "Chief Operating Officer",
            "Chief Technology Officer",
            "Chief Financial Officer",
            "Chief Revenue Officer",
            "General Manager",
        ),
    ),
    (
        Persona.DECISION_MAKER,
        12,
        (
            "VP of Operations",
            "VP of Engineering",
            "Director of IT",
            "Head of Customer Success",
            "Director of Finance",
            "VP of Marketing",
        ),
    ),
    (
        Persona.CHAMPION,
        10,
        (
            "Operations Manager",
            "Product Manager",
            "Program Manager",
            "Team Lead",
            "Engineering Manager",
            "Customer Success Manager",
        ),
    ),
    (
        Persona.ADMIN,
        15,
        (
            "Systems Administrator",
            "Platform Administrator",
            "IT Specialist",
            "Business Systems Analyst",
            "Operations Analyst",
        ),
    ),
    (
        Persona.POWER_USER,
        20,
        (
            "Senior Analyst",
            "Data Analyst",
            "Solutions Engineer",
            "Senior Specialist",
            "Automation Engineer",
        ),
    ),
    (
        Persona.END_USER,
        35,
        (
            "Analyst",
            "Coordinator",
            "Associate",
            "Specialist",
            "Account Executive",
            "Accountant",
            "Support Agent",
            "Designer",
        ),
    ),
)

# Personas that use the product day to day: they produce activity and usage signals.
ENGAGED_PERSONAS: Final = frozenset({Persona.CHAMPION, Persona.ADMIN, Persona.POWER_USER})
# Personas who speak for the account: results shared, nominations, reviews.
VOICE_PERSONAS: Final = frozenset({Persona.CHAMPION, Persona.DECISION_MAKER, Persona.EXECUTIVE})

FEATURES: Final = (
    "dashboards",
    "automations",
    "reports",
    "integrations",
    "mobile app",
    "AI assistant",
    "bulk edit",
    "API",
)

MILESTONES: Final = (
    "First workflow live",
    "10 active users",
    "Integration connected",
    "100 active users",
    "10,000 automations run",
    "Second team onboarded",
    "Admin certified",
    "1,000 active users",
)

NPS_COMMENTS: Final[dict[str, tuple[str, ...]]] = {
    "promoter": (
        "Saves our team hours every week.",
        "Support is fast and actually helpful.",
        "The automation features changed how we work.",
        "Rolled it out to two more teams, everyone likes it.",
        "Best tool in our stack.",
    ),
    "passive": (
        "Does the job, reporting could be better.",
        "Good product, the setup took longer than expected.",
        "Fine overall; a few features missing for our use case.",
    ),
    "detractor": (
        "Too many outages this quarter.",
        "Support tickets take days to resolve.",
        "Hard to get adoption beyond the admin team.",
        "Pricing went up without more value.",
    ),
}

TICKET_SUBJECTS: Final = (
    "SSO login fails for some users",
    "Export to CSV times out",
    "Dashboard shows stale numbers",
    "Webhook deliveries delayed",
    "Question about user permissions",
    "Integration sync error",
    "Invoice does not match usage",
    "Slow page loads in reports",
    "Bulk import rejected rows",
    "Mobile app crashes on launch",
)

RESULTS: Final = (
    "Cut month-end close from 10 days to 4",
    "Reduced support backlog by 35%",
    "Saved 120 analyst hours a month",
    "Onboarded new customers 2x faster",
    "Lifted renewal rate by 8 points",
    "Replaced three legacy tools",
)

REVIEW_SITES: Final = ("G2", "Capterra", "TrustRadius")
