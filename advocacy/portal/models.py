"""The portal's one table: the magic links that were used, so that each opens the portal once."""

from __future__ import annotations

from django.db import models

from advocacy.customers.models import Contact


class RedeemedLink(models.Model):
    """A magic link that opened the portal: its nonce, recorded once.

    The unique constraint on the nonce is what makes a link single-use: a second redemption,
    even one running at the same moment, fails on it and is told the link was used.
    """

    nonce = models.CharField(max_length=64, unique=True)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    ask_id = models.BigIntegerField(null=True, blank=True, help_text="The ask it was sent about.")
    issued_at = models.DateTimeField()
    redeemed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"link of contact {self.contact_id} used {self.redeemed_at:%Y-%m-%d %H:%M}"
