"""Recruitment and data collection against targets: sites, targets, participants, surveys, early warning."""
