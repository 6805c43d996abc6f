"""Small, deterministic app factories for the snapshot tests and the facilitation journeys."""
