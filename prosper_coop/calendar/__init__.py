"""Calendar export (iCalendar, RFC 5545) of sessions, milestones and due tasks."""
