"""Outgoing email: a stored row for every email, rendered and delivered by the background worker."""
