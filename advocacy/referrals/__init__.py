"""Referrals: advocates refer peers; bonuses are declared policy (docs/referrals.md)."""
