"""Demo data: regions and one account per role, so a newcomer can try every page."""
