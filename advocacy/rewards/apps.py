from django.apps import AppConfig


class RewardsConfig(AppConfig):
    name = "advocacy.rewards"
    label = "rewards"
    verbose_name = "Rewards and tiers"

    def ready(self) -> None:
        from advocacy.pipeline import hooks as ask_hooks
        from advocacy.referrals import hooks as referral_hooks
        from advocacy.rewards.bonuses import on_referrals_moved
        from advocacy.rewards.earning import on_asks_entered
        from advocacy.rewards.personal import register_holdings

        # Per-activity rewards are credited in the transaction that completes the activity.
        ask_hooks.register("rewards.earning", on_asks_entered)
        # Referral bonuses are credited in the transaction that moves the referral.
        referral_hooks.register("rewards.bonuses", on_referrals_moved)
        # What the ledger holds about a person, for the privacy export and erasure.
        register_holdings()
