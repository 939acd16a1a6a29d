"""Producers (produsen): businesses, their members, invitations and claim codes."""
