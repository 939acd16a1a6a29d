"""Pages every visitor shares: home, language choice, health check, role home pages."""
