"""Messages to people: email now, dashboard notices later."""
