"""What the layers above do in the transaction that moves content: a small registry.

Content sits below messaging, which emails the advocate when a draft goes to them for
approval. The row must be written in the same transaction as the move, so messaging registers
a hook here in its AppConfig.ready() and `move_asset` calls `assets_entered` inside its
transaction. The contract is that of advocacy.pipeline.hooks: set-based, never committing, at
once for the statuses a hook does not act on; an exception rolls the move back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

AssetHook = Callable[[Sequence[int], str, datetime], None]  # (asset ids, status entered, now)

HOOKS: dict[str, AssetHook] = {}


def register(name: str, hook: AssetHook) -> None:
    HOOKS[name] = hook


def assets_entered(asset_ids: Sequence[int], status: str, *, now: datetime) -> None:
    if not asset_ids:
        return
    for hook in HOOKS.values():
        hook(asset_ids, status, now)
