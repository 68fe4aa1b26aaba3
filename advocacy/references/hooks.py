"""What the layers above do in the transaction that schedules or moves a reference call.

The reference desk sits below messaging, which emails the call's calendar invite; the outbox
rows must be written in the transaction of the scheduling, or a crash between the two would
lose the invite or send one for a call that never was. So messaging registers a hook here in
its AppConfig.ready(), and `schedule_call` and `reschedule_call` call `call_invited` inside
their transaction. A hook MUST NOT commit and SHOULD be a few queries; an exception in it
rolls the scheduling back with it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from advocacy.references.models import ReferenceCall

# (the call as scheduled now, its revision in `sequence`; now)
CallHook = Callable[[ReferenceCall, datetime], None]

HOOKS: dict[str, CallHook] = {}


def register(name: str, hook: CallHook) -> None:
    HOOKS[name] = hook


def call_invited(call: ReferenceCall, *, now: datetime) -> None:
    """Tell every registered hook that `call` needs its invite (in the caller's transaction)."""
    for hook in HOOKS.values():
        hook(call, now)
