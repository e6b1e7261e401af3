"""Inbound channels: adapters that turn what arrives (email, fax) into calls to the domain."""
