"""The agency's view of what its aid achieved: impact dashboard, monitoring visits, reports."""
