"""advocacy rewards ledger|balance|tiers|redeem|fulfil|…: the rewards ledger and its tiers."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from advocacy.core.management.clock import add_as_of, as_of
from advocacy.customers.management.lookup import contact_by_email
from advocacy.customers.models import Contact
from advocacy.people.management.acting import acting_user
from advocacy.pipeline.models import Ask
from advocacy.rewards import services
from advocacy.rewards.models import Entry, Redemption, RedemptionStatus, RewardType
from advocacy.rewards.policy import PolicyError, active_policy, load_policy, policy_codes
from advocacy.rewards.services import RewardError, dollars
from advocacy.rewards.tiers import quarter_of, standings


def _cents(text: str) -> int:
    try:
        amount = Decimal(text.strip().lstrip("$").replace(",", ""))
    except InvalidOperation:
        raise CommandError(
            f"expected an amount in dollars (100 or 99.50), found {text!r}"
        ) from None
    return int(amount * 100)


def entry_row(e: Entry) -> dict[str, Any]:
    return {
        "id": e.pk,
        "email": e.contact.email,
        "kind": e.kind,
        "amount": e.amount_cents / 100,
        "reason": e.reason,
        "ask_id": e.ask_id,
        "redemption_id": e.redemption_id,
        "reverses": e.reverses_id,
        "reward_type": e.reward_type,
        "quarter": e.quarter,
        "at": e.at.isoformat(),
    }


def redemption_row(r: Redemption) -> dict[str, Any]:
    return {
        "id": r.pk,
        "email": r.contact.email,
        "reward_type": r.reward_type,
        "charity": r.charity,
        "amount": r.amount_cents / 100,
        "status": r.status,
        "held_reason": r.held_reason,
        "quarter": r.quarter,
        "delivered": r.delivered,
        "fulfilled_by": r.fulfilled_by.get_username() if r.fulfilled_by else None,
        "fulfilled_at": r.fulfilled_at.isoformat() if r.fulfilled_at else None,
    }


READS = ("ledger", "balance", "tiers", "redemptions")


class Command(BaseCommand):
    help = "The rewards ledger, balances, tiers, redemptions, fulfilment and the budget."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        ledger = sub.add_parser("ledger", help="Ledger entries, oldest first.")
        ledger.add_argument("--email", help="Only this advocate's.")
        balance = sub.add_parser("balance", help="An advocate's balance.")
        balance.add_argument("email")
        tiers = sub.add_parser("tiers", help="Advocates' tiers with the reasons.")
        tiers.add_argument("--email", help="Only this advocate.")
        tiers.add_argument("--policy", choices=policy_codes(), help="Default: the setting.")
        redeem = sub.add_parser("redeem", help="Redeem part of a balance (held if unusual).")
        redeem.add_argument("email")
        redeem.add_argument("amount", help="Dollars.")
        redeem.add_argument("--type", required=True, choices=RewardType.values)
        redeem.add_argument("--charity", default="", help="For a donation: the charity's code.")
        credit = sub.add_parser("credit", help="Credit a reward by hand.")
        credit.add_argument("email")
        credit.add_argument("amount", help="Dollars.")
        credit.add_argument("--reason", required=True)
        credit.add_argument("--ask", type=int, help="The activity (ask id) it is for.")
        reverse = sub.add_parser("reverse", help="Reverse a ledger entry (it is kept).")
        reverse.add_argument("id", type=int)
        reverse.add_argument("--reason", required=True)
        redemptions = sub.add_parser("redemptions", help="Redemptions, held and waiting first.")
        redemptions.add_argument("--status", choices=RedemptionStatus.values)
        release = sub.add_parser("release", help="Let a held redemption go to fulfilment.")
        release.add_argument("id", type=int)
        refuse = sub.add_parser("refuse", help="Refuse a redemption: the balance comes back.")
        refuse.add_argument("id", type=int)
        refuse.add_argument("--reason", required=True)
        fulfil = sub.add_parser("fulfil", help="Record who delivered what.")
        fulfil.add_argument("ids", type=int, nargs="+")
        fulfil.add_argument("--delivered", required=True, help="What was delivered.")
        process = sub.add_parser("process", help="Run a quarter's rewards (once it is over).")
        process.add_argument("quarter", help="2026Q2")
        budget = sub.add_parser("budget", help="Set a quarter's budget, or show spend against it.")
        budget.add_argument("quarter", nargs="?", help="Default: the quarter of --as-of.")
        budget.add_argument("--set", dest="amount", help="Dollars.")
        for name, p in sub.choices.items():
            p.add_argument("--json", action="store_true", help="Print JSON.")
            add_as_of(p, "As of this date or date-time (default: now).")
            if name not in READS:
                p.add_argument("--as", dest="as_user", help="Act as this username.")

    def handle(self, *args: Any, **opts: Any) -> None:
        opts["actor"] = acting_user("rewards", opts)
        try:
            getattr(self, f"do_{opts['action']}")(opts)
        except (RewardError, PolicyError, ValueError) as exc:
            raise CommandError(str(exc)) from None

    def _out(self, opts: dict[str, Any], data: Any, text: str) -> None:
        self.stdout.write(json.dumps(data, indent=2) if opts["json"] else text)

    def do_ledger(self, opts: dict[str, Any]) -> None:
        qs = Entry.objects.select_related("contact").filter(at__lte=as_of(opts))
        if opts["email"]:
            qs = qs.filter(contact=contact_by_email(opts["email"]))
        rows = [entry_row(e) for e in qs[:1000]]
        text = "\n".join(
            f"{r['id']:>6}  {r['at'][:10]}  {r['email']:<30} {r['kind']:<8} "
            f"{dollars(round(r['amount'] * 100)):>10}  {r['reason']}"
            for r in rows
        )
        self._out(opts, rows, text or "No entries.")

    def do_balance(self, opts: dict[str, Any]) -> None:
        contact = contact_by_email(opts["email"])
        cents = services.balance(contact, as_of(opts))
        self._out(opts, {"email": contact.email, "balance": cents / 100}, dollars(cents))

    def do_tiers(self, opts: dict[str, Any]) -> None:
        policy = load_policy(opts["policy"]) if opts["policy"] else active_policy()
        qs = Contact.objects.all()
        if opts["email"]:
            qs = qs.filter(pk=contact_by_email(opts["email"]).pk)
        else:
            qs = qs.filter(asks__isnull=False).distinct()
        emails = dict(qs.values_list("pk", "email"))
        found = standings(Contact.objects.filter(pk__in=list(emails)), policy, as_of(opts))
        rows: list[dict[str, Any]] = [
            {
                "email": emails[s.contact_id],
                "level": s.level,
                "tier": s.tier,
                "reasons": [{"tier": r.tier, "met": r.met, "text": r.text} for r in s.reasons],
            }
            for s in found
        ]
        lines = []
        for r in rows:
            lines.append(f"{r['email']}: {r['tier']}")
            lines += [
                f"  {'✓' if x['met'] else '✗'} {x['tier']}: {x['text']}" for x in r["reasons"]
            ]
        self._out(opts, {"policy": policy.name, "advocates": rows}, "\n".join(lines) or "No one.")

    def do_redeem(self, opts: dict[str, Any]) -> None:
        made = services.redeem(
            contact_by_email(opts["email"]),
            _cents(opts["amount"]),
            opts["type"],
            charity=opts["charity"],
            actor=opts["actor"],
            now=as_of(opts),
        )
        row = redemption_row(made)
        held = f" (held for review: {made.held_reason})" if made.held_reason else ""
        self._out(opts, row, f"Redemption {made.pk}: {made.get_status_display()}{held}")

    def do_credit(self, opts: dict[str, Any]) -> None:
        contact = contact_by_email(opts["email"])
        ask = None
        if opts["ask"] is not None:
            ask = Ask.objects.filter(pk=opts["ask"]).first()
            if ask is None:
                raise CommandError(f"no ask with id {opts['ask']}")
        entry = services.credit(
            contact, _cents(opts["amount"]), opts["reason"], ask=ask,
            actor=opts["actor"], now=as_of(opts),
        )  # fmt: skip
        self._out(
            opts, entry_row(entry), f"Credited {dollars(entry.amount_cents)} (entry {entry.pk})"
        )

    def do_reverse(self, opts: dict[str, Any]) -> None:
        entry = Entry.objects.select_related("contact").filter(pk=opts["id"]).first()
        if entry is None:
            raise CommandError(f"no ledger entry with id {opts['id']}")
        back = services.reverse(entry, opts["reason"], actor=opts["actor"], now=as_of(opts))
        self._out(opts, entry_row(back), f"Reversed entry {entry.pk} (entry {back.pk})")

    def _redemption(self, pk: int) -> Redemption:
        found = Redemption.objects.select_related("contact", "fulfilled_by").filter(pk=pk).first()
        if found is None:
            raise CommandError(f"no redemption with id {pk}")
        return found

    def do_redemptions(self, opts: dict[str, Any]) -> None:
        qs = Redemption.objects.select_related("contact", "fulfilled_by")
        if opts["status"]:
            qs = qs.filter(status=opts["status"])
        rows = [redemption_row(r) for r in qs[:1000]]
        text = "\n".join(
            f"{r['id']:>6}  {r['email']:<30} {r['reward_type']:<15} "
            f"{dollars(round(r['amount'] * 100)):>10}  {r['status']}  {r['held_reason']}"
            for r in rows
        )
        self._out(opts, rows, text or "No redemptions.")

    def do_release(self, opts: dict[str, Any]) -> None:
        done = services.release(self._redemption(opts["id"]), actor=opts["actor"], now=as_of(opts))
        self._out(opts, redemption_row(done), f"Redemption {done.pk}: {done.get_status_display()}")

    def do_refuse(self, opts: dict[str, Any]) -> None:
        done = services.refuse(
            self._redemption(opts["id"]), opts["reason"], actor=opts["actor"], now=as_of(opts)
        )
        self._out(opts, redemption_row(done), f"Redemption {done.pk}: refused, balance restored")

    def do_fulfil(self, opts: dict[str, Any]) -> None:
        n = services.fulfil(opts["ids"], opts["delivered"], actor=opts["actor"], now=as_of(opts))
        self._out(opts, {"fulfilled": n}, f"Fulfilled {n} redemption{'s' if n != 1 else ''}.")

    def do_process(self, opts: dict[str, Any]) -> None:
        done = services.process_quarter(opts["quarter"], actor=opts["actor"], now=as_of(opts))
        data = {"quarter": done.quarter, "credited": done.credited, "waiting": done.waiting}
        text = (
            f"{done.quarter}: {done.credited} tier rewards credited; "
            f"{done.waiting} redemptions await fulfilment."
        )
        self._out(opts, data, text)

    def do_budget(self, opts: dict[str, Any]) -> None:
        now = as_of(opts)
        quarter = opts["quarter"] or quarter_of(now)
        if opts["amount"] is not None:
            services.set_budget(quarter, _cents(opts["amount"]), actor=opts["actor"], now=now)
        s = services.spend(quarter)

        def money(c: int | None) -> float | None:
            return None if c is None else c / 100

        data = {
            "quarter": s.quarter,
            "budget": money(s.budget_cents),
            "committed": money(s.committed_cents),
            "fulfilled": money(s.fulfilled_cents),
            "remaining": money(s.remaining_cents),
            "held": s.held,
            "waiting": s.waiting,
        }
        budget = "no budget set" if s.budget_cents is None else f"budget {dollars(s.budget_cents)}"
        text = (
            f"{s.quarter}: {budget}; committed {dollars(s.committed_cents)}, "
            f"fulfilled {dollars(s.fulfilled_cents)}; {s.held} held, {s.waiting} waiting"
        )
        self._out(opts, data, text)
