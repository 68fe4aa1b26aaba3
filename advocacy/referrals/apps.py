from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "advocacy.referrals"
    label = "referrals"
    verbose_name = "Referrals"

    def ready(self) -> None:
        from advocacy.referrals.personal import register_holdings

        # What referrals hold about a person, for the privacy export and erasure.
        register_holdings()
