"""Readers who follow a site by email: subscriptions with double opt-in, and the mailing of
each new post to them through the outbox (mail.py)."""
