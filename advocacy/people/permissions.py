"""Who may do what: one table of roles and actions, the only place a right is granted.

The roles follow the division of labour practitioners describe: customer success owns
nomination and the relationship (who is asked, when, and what they agreed to); marketing owns
packaging and publishing (content from draft to published); sales files reference requests,
sees who is ready for one and reports how the call went; admin owns users, keys, policy,
playbook and settings. A read-only role sees everything and changes nothing.

Every web route, API operation and CLI subcommand names one action of this table (the web's
in `advocacy/web/access.py`, the API's in `advocacy/api/access.py`, the CLI's in `CLI` below);
the suite builds the matrix of routes and roles from the URLconf and the OpenAPI schema, so a route
without an action fails it. An API key may do an action only if it carries the action's scope
and its user's role allows the action: a key never exceeds its owner.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from advocacy.people.models import Role, Scope


class Action(StrEnum):
    VIEW = "view"
    CUSTOMERS_WRITE = "customers.write"
    SIGNALS_WRITE = "signals.write"
    IMPORTS_RUN = "imports.run"
    PROFILES_REFRESH = "profiles.refresh"
    PLAYS_RUN = "plays.run"
    PLAYS_SIMULATE = "plays.simulate"
    PLAYBOOK_LOAD = "playbook.load"
    ASKS_OPEN = "asks.open"
    ASKS_MOVE = "asks.move"
    ASKS_STEP = "asks.step"
    ASKS_GUARD = "asks.guard"
    ASKS_ASSIGN = "asks.assign"
    ASKS_ESCALATE = "asks.escalate"
    ASKS_VIEWS = "asks.views"
    AGREEMENTS_WRITE = "agreements.write"
    OPT_OUT = "contacts.opt_out"
    NOMINATE = "contacts.nominate"
    PORTAL_LINK = "portal.link"
    ROUTING_EDIT = "routing.edit"
    ROUTING_APPLY = "routing.apply"
    CHECKLISTS_EDIT = "checklists.edit"
    CONTENT_CREATE = "content.create"
    CONTENT_EDIT = "content.edit"
    CONTENT_MOVE = "content.move"
    CONTENT_CONSENT = "content.consent"
    CONTENT_USE = "content.use"
    CONTENT_EXPIRY = "content.expiry"
    REFERENCES_FILE = "references.file"
    REFERENCES_DESK = "references.desk"
    REFERENCES_CALL = "references.call"
    SCORECARD_EDIT = "scorecard.edit"
    USERS_MANAGE = "users.manage"
    KEYS_MANAGE = "keys.manage"
    AUDIT_VIEW = "audit.view"
    PRIVACY_MANAGE = "privacy.manage"
    MESSAGES_TEST = "messages.test"
    MESSAGES_RETRY = "messages.retry"
    PRODUCT_EVENTS_READ = "product_events.read"
    NOTICES_OWN = "notices.own"
    REWARDS_CREDIT = "rewards.credit"
    REWARDS_REDEEM = "rewards.redeem"
    REWARDS_FULFIL = "rewards.fulfil"
    REWARDS_BUDGET = "rewards.budget"
    REFERRALS_FILE = "referrals.file"
    REFERRALS_MOVE = "referrals.move"
    CONNECTORS_VIEW = "connectors.view"
    CONNECTORS_MANAGE = "connectors.manage"
    WEBHOOKS_VIEW = "webhooks.view"
    WEBHOOKS_MANAGE = "webhooks.manage"
    RECOGNITION_BADGE = "recognition.badge"
    VALUE_SEND = "value.send"
    VALUE_PREFERENCES = "value.preferences"


ADMIN, CS, SALES, MARKETING, VIEWER = (
    Role.ADMIN,
    Role.CUSTOMER_SUCCESS,
    Role.SALES,
    Role.MARKETING,
    Role.VIEWER,
)


@dataclass(frozen=True)
class Right:
    """An action: who may do it, the API key scope it needs, and what it is in words."""

    roles: frozenset[Role]
    scope: Scope
    text: str


def _right(scope: Scope, text: str, *roles: Role) -> Right:
    return Right(frozenset((ADMIN, *roles)), scope, text)


# The table. Admin may do everything; each line names who else may.
TABLE: dict[Action, Right] = {
    Action.VIEW: _right(Scope.READ, "see the program", CS, SALES, MARKETING, VIEWER),
    Action.CUSTOMERS_WRITE: _right(
        Scope.CUSTOMERS_WRITE, "create and update accounts and contacts", CS
    ),
    Action.SIGNALS_WRITE: _right(Scope.SIGNALS_WRITE, "record signals", CS),
    Action.IMPORTS_RUN: _right(Scope.IMPORTS_WRITE, "import, commit or cancel CSV files", CS),
    Action.PROFILES_REFRESH: _right(Scope.PLAYS_RUN, "refresh the advocates' profiles", CS),
    Action.PLAYS_RUN: _right(Scope.PLAYS_RUN, "run plays", CS),
    Action.PLAYS_SIMULATE: _right(Scope.READ, "simulate plays", CS, SALES, MARKETING, VIEWER),
    Action.PLAYBOOK_LOAD: _right(Scope.PLAYS_RUN, "reload the playbook and its policy"),
    Action.ASKS_OPEN: _right(Scope.ASKS_WRITE, "ask an advocate by hand (open an ask)", CS),
    Action.ASKS_MOVE: _right(Scope.ASKS_WRITE, "move an ask through the pipeline", CS, MARKETING),
    Action.ASKS_STEP: _right(Scope.ASKS_WRITE, "tick an ask's checklist steps", CS, MARKETING),
    Action.ASKS_GUARD: _right(Scope.ASKS_WRITE, "pause, resume or guard asks", CS),
    Action.ASKS_ASSIGN: _right(Scope.ASKS_WRITE, "reassign an ask", CS),
    Action.ASKS_ESCALATE: _right(Scope.ASKS_WRITE, "escalate overdue asks", CS),
    # A saved view is one's own filter set of the board: anyone who sees the board keeps theirs.
    Action.ASKS_VIEWS: _right(
        Scope.ME_WRITE,
        "save and remove one's own views of the pipeline",
        CS,
        SALES,
        MARKETING,
        VIEWER,
    ),
    Action.AGREEMENTS_WRITE: _right(Scope.CUSTOMERS_WRITE, "record or end advocacy agreements", CS),
    Action.OPT_OUT: _right(
        Scope.CUSTOMERS_WRITE, "record that someone opted out", CS, SALES, MARKETING
    ),
    Action.NOMINATE: _right(
        Scope.SIGNALS_WRITE, "nominate a customer as an advocate, with a reason", CS, SALES
    ),
    Action.PORTAL_LINK: _right(
        Scope.CUSTOMERS_WRITE, "send an advocate a link to their portal", CS, MARKETING
    ),
    Action.ROUTING_EDIT: _right(Scope.ASKS_WRITE, "add, change or remove routing rules"),
    Action.ROUTING_APPLY: _right(Scope.ASKS_WRITE, "re-route open asks by the rules", CS),
    Action.CHECKLISTS_EDIT: _right(Scope.ASKS_WRITE, "rewrite an ask type's checklist"),
    Action.CONTENT_CREATE: _right(Scope.CONTENT_WRITE, "draft content", MARKETING, CS),
    Action.CONTENT_EDIT: _right(Scope.CONTENT_WRITE, "edit content", MARKETING),
    Action.CONTENT_MOVE: _right(
        Scope.CONTENT_WRITE, "review, approve, publish or retire content", MARKETING
    ),
    Action.CONTENT_CONSENT: _right(
        Scope.CONTENT_WRITE, "record an advocate's consent", MARKETING, CS
    ),
    Action.CONTENT_USE: _right(Scope.CONTENT_WRITE, "record a reuse of content", MARKETING, SALES),
    Action.CONTENT_EXPIRY: _right(Scope.CONTENT_WRITE, "run the content expiry check", MARKETING),
    Action.REFERENCES_FILE: _right(
        Scope.REFERENCES_WRITE, "file, close and report on reference requests", SALES, CS
    ),
    Action.REFERENCES_DESK: _right(
        Scope.REFERENCES_WRITE, "offer advocates and record their answers", CS
    ),
    Action.REFERENCES_CALL: _right(
        Scope.REFERENCES_WRITE, "schedule reference calls and record outcomes", SALES, CS
    ),
    Action.SCORECARD_EDIT: _right(
        Scope.SCORECARD_WRITE, "set the scorecard's baselines and targets"
    ),
    Action.USERS_MANAGE: _right(
        Scope.USERS_WRITE, "invite, change, deactivate users and reset passwords"
    ),
    Action.KEYS_MANAGE: _right(Scope.USERS_WRITE, "issue and revoke API keys"),
    Action.AUDIT_VIEW: _right(Scope.READ, "read and export the audit log"),
    Action.PRIVACY_MANAGE: _right(Scope.PRIVACY_WRITE, "export or erase a person's data"),
    Action.MESSAGES_TEST: _right(
        Scope.ASKS_WRITE, "send a test of an ask's email to oneself", CS, MARKETING
    ),
    Action.MESSAGES_RETRY: _right(
        Scope.ASKS_WRITE, "send a failed email to an advocate again", CS, MARKETING
    ),
    Action.PRODUCT_EVENTS_READ: _right(
        Scope.PRODUCT_EVENTS_READ, "read the product events feed (in-product reminders)", CS
    ),
    Action.NOTICES_OWN: _right(
        Scope.ME_WRITE, "choose how one's own notices reach one", CS, SALES, MARKETING, VIEWER
    ),
    # Rewards: customer success and marketing thank advocates; marketing runs the fulfilment
    # (the packaging side: reviewing, delivering, the quarterly run); the budget is policy.
    Action.REWARDS_CREDIT: _right(
        Scope.REWARDS_WRITE, "credit or reverse an advocate's reward by hand", CS, MARKETING
    ),
    Action.REWARDS_REDEEM: _right(
        Scope.REWARDS_WRITE, "redeem rewards for an advocate", CS, MARKETING
    ),
    Action.REWARDS_FULFIL: _right(
        Scope.REWARDS_WRITE,
        "review, fulfil and process rewards (the quarterly run)",
        MARKETING,
    ),
    Action.REWARDS_BUDGET: _right(Scope.REWARDS_WRITE, "set the quarterly rewards budget"),
    # Referrals: whoever hears of a referral records it for the advocate; the prospect's
    # progress (meeting, qualified, won or lost) is sales' to report, and customer success's,
    # which owns the advocate's relationship; a move may credit a bonus.
    Action.REFERRALS_FILE: _right(
        Scope.REFERRALS_WRITE, "record a referral for an advocate", CS, SALES, MARKETING
    ),
    Action.REFERRALS_MOVE: _right(
        Scope.REFERRALS_WRITE, "move a referral (meeting, qualified, won, lost)", SALES, CS
    ),
    # Connections hold vendors' secrets and raw requests: admins configure them; customer
    # success may see the inbox (the same people and answers it sees everywhere else).
    Action.CONNECTORS_VIEW: _right(Scope.READ, "see connections, their inbox and rejected log", CS),
    Action.CONNECTORS_MANAGE: _right(
        Scope.CONNECTORS_WRITE, "add or remove connections, replay their inbox, sync CRMs"
    ),
    # Outgoing webhooks send what advocates did to another system, signed with a secret:
    # admins configure them; customer success may read the delivery log.
    Action.WEBHOOKS_VIEW: _right(Scope.READ, "see webhook endpoints and their delivery log", CS),
    Action.WEBHOOKS_MANAGE: _right(
        Scope.CONNECTORS_WRITE, "add or remove webhook endpoints and redeliver"
    ),
    # Recognition: those who thank advocates give or withdraw their badge.
    Action.RECOGNITION_BADGE: _right(
        Scope.REWARDS_WRITE, "issue or revoke an advocate's badge", CS, MARKETING
    ),
    # Value moments: what the program gives before it asks; lifecycle work of customer
    # success and marketing alike. The weekly opt-in is the relationship's (and the advocate's).
    Action.VALUE_SEND: _right(
        Scope.ASKS_WRITE, "send value moments (insight emails, the annual summary)", CS, MARKETING
    ),
    Action.VALUE_PREFERENCES: _right(
        Scope.CUSTOMERS_WRITE, "set an advocate's weekly insights opt-in", CS
    ),
}


# Actions whose services write their own audit entries, with the before and after; the
# delivery layers do not log them a second time.
SELF_AUDITED = frozenset(
    {
        Action.USERS_MANAGE,
        Action.KEYS_MANAGE,
        Action.PRIVACY_MANAGE,
        Action.PORTAL_LINK,
        Action.NOTICES_OWN,
    }
)


class Forbidden(PermissionError):
    """The caller's role does not allow the action; the message says who may."""

    def __init__(self, user: Any, action: Action) -> None:
        self.action = action
        super().__init__(refusal(user, action))


def role_of(user: Any) -> Role | None:
    """The role a user acts with; a superuser is an admin, an inactive user has none."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if getattr(user, "is_superuser", False):
        return Role.ADMIN
    try:
        return Role(user.role)
    except ValueError:
        return None


def allowed(user: Any, action: Action) -> bool:
    role = role_of(user)
    return role is not None and role in TABLE[action].roles


def require(user: Any, action: Action) -> None:
    if not allowed(user, action):
        raise Forbidden(user, action)


def who_may(action: Action) -> list[str]:
    """The labels of the roles that may do an action, in the order roles are declared."""
    return [role.label for role in Role if role in TABLE[action].roles]


def refusal(user: Any, action: Action) -> str:
    role = role_of(user)
    right = TABLE[action]
    who = " or ".join(who_may(action))
    name = getattr(user, "username", "") or "this user"
    as_role = f" ({role.label})" if role is not None else " (inactive)"
    return f"{name}{as_role} may not {right.text}: that is for {who}"


def rights_of(role: Role) -> list[Action]:
    return [action for action, right in TABLE.items() if role in right.roles]


def scopes_of(role: Role) -> frozenset[str]:
    """The API key scopes a role can use: a key's other scopes are inert."""
    return frozenset(right.scope.value for right in TABLE.values() if role in right.roles)


# The CLI's commands run `--as` someone: (command, subcommand) → action. A command run
# without `--as` acts as whoever holds the shell, as `manage.py` always does.
CLI: dict[tuple[str, str], Action] = {
    ("asks", "open"): Action.ASKS_OPEN,
    ("nominate", ""): Action.NOMINATE,
    ("asks", "move"): Action.ASKS_MOVE,
    ("asks", "decline"): Action.ASKS_MOVE,
    ("asks", "assign"): Action.ASKS_ASSIGN,
    ("asks", "pause"): Action.ASKS_GUARD,
    ("asks", "resume"): Action.ASKS_GUARD,
    ("asks", "reassign"): Action.ASKS_ASSIGN,
    ("asks", "views"): Action.ASKS_VIEWS,
    ("asks", "list"): Action.VIEW,  # `--as` names whose saved view `--view` is
    ("agreements", "create"): Action.AGREEMENTS_WRITE,
    ("agreements", "update"): Action.AGREEMENTS_WRITE,
    ("agreements", "end"): Action.AGREEMENTS_WRITE,
    ("agreements", "opt-out"): Action.OPT_OUT,
    ("portal", "link"): Action.PORTAL_LINK,
    ("checklists", "edit"): Action.CHECKLISTS_EDIT,
    ("checklists", "tick"): Action.ASKS_STEP,
    ("content", "create"): Action.CONTENT_CREATE,
    ("content", "edit"): Action.CONTENT_EDIT,
    ("content", "move"): Action.CONTENT_MOVE,
    ("content", "consent"): Action.CONTENT_CONSENT,
    ("content", "use"): Action.CONTENT_USE,
    ("references", "file"): Action.REFERENCES_FILE,
    ("references", "offer"): Action.REFERENCES_DESK,
    ("references", "respond"): Action.REFERENCES_DESK,
    ("references", "schedule"): Action.REFERENCES_CALL,
    ("references", "reschedule"): Action.REFERENCES_CALL,
    ("references", "times"): Action.REFERENCES_CALL,
    ("references", "outcome"): Action.REFERENCES_CALL,
    ("references", "result"): Action.REFERENCES_FILE,
    ("references", "close"): Action.REFERENCES_FILE,
    ("scorecard", "set"): Action.SCORECARD_EDIT,
    ("users", "invite"): Action.USERS_MANAGE,
    ("users", "set"): Action.USERS_MANAGE,
    ("users", "deactivate"): Action.USERS_MANAGE,
    ("users", "activate"): Action.USERS_MANAGE,
    ("users", "reset-password"): Action.USERS_MANAGE,
    ("me", "notices"): Action.NOTICES_OWN,
    ("audit", "list"): Action.AUDIT_VIEW,
    ("audit", "export"): Action.AUDIT_VIEW,
    ("privacy", "export"): Action.PRIVACY_MANAGE,
    ("privacy", "erase"): Action.PRIVACY_MANAGE,
    ("outbox", "test"): Action.MESSAGES_TEST,
    ("outbox", "retry"): Action.MESSAGES_RETRY,
    ("slack", "list"): Action.VIEW,
    ("slack", "resend"): Action.MESSAGES_RETRY,
    ("outbox", "events"): Action.PRODUCT_EVENTS_READ,
    ("outbox", "folder"): Action.PORTAL_LINK,
    ("rewards", "credit"): Action.REWARDS_CREDIT,
    ("rewards", "reverse"): Action.REWARDS_CREDIT,
    ("rewards", "redeem"): Action.REWARDS_REDEEM,
    ("rewards", "release"): Action.REWARDS_FULFIL,
    ("rewards", "refuse"): Action.REWARDS_FULFIL,
    ("rewards", "fulfil"): Action.REWARDS_FULFIL,
    ("rewards", "process"): Action.REWARDS_FULFIL,
    ("rewards", "budget"): Action.REWARDS_BUDGET,
    ("referrals", "create"): Action.REFERRALS_FILE,
    ("referrals", "move"): Action.REFERRALS_MOVE,
    ("connectors", "add"): Action.CONNECTORS_MANAGE,
    ("connectors", "remove"): Action.CONNECTORS_MANAGE,
    ("connectors", "replay"): Action.CONNECTORS_MANAGE,
    ("connectors", "list"): Action.CONNECTORS_VIEW,
    ("connectors", "show"): Action.CONNECTORS_VIEW,
    ("connectors", "inbox"): Action.CONNECTORS_VIEW,
    ("connectors", "rejected"): Action.CONNECTORS_VIEW,
    ("connectors", "sync"): Action.CONNECTORS_MANAGE,
    ("reviews", "import"): Action.IMPORTS_RUN,
    ("webhooks", "add"): Action.WEBHOOKS_MANAGE,
    ("webhooks", "remove"): Action.WEBHOOKS_MANAGE,
    ("webhooks", "redeliver"): Action.WEBHOOKS_MANAGE,
    ("webhooks", "list"): Action.WEBHOOKS_VIEW,
    ("webhooks", "show"): Action.WEBHOOKS_VIEW,
    ("webhooks", "deliveries"): Action.WEBHOOKS_VIEW,
    ("connectors", "write-backs"): Action.CONNECTORS_VIEW,
    ("recognition", "badge-issue"): Action.RECOGNITION_BADGE,
    ("recognition", "badge-revoke"): Action.RECOGNITION_BADGE,
    ("value", "send"): Action.VALUE_SEND,
    ("value", "weekly"): Action.VALUE_PREFERENCES,
}


def markdown_table() -> str:
    """The table as Markdown, as docs/roles.md shows it (a test keeps the two the same)."""
    roles = list(Role)
    head = "| action | what it is | API key scope | " + " | ".join(r.label for r in roles) + " |"
    rule = "|---|---|---|" + "---|" * len(roles)
    lines = [head, rule]
    for action, right in TABLE.items():
        marks = " | ".join("✓" if r in right.roles else "" for r in roles)
        lines.append(f"| `{action.value}` | {right.text} | `{right.scope.value}` | {marks} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())
