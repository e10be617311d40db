"""Work packages and tasks: the domain behind ``prosper-coop wp`` and ``prosper-coop task``.

- :mod:`.index`: a derived, self-validating cache of every task (fast reads at 10,000 tasks).
- :mod:`.query`: listing, filtering, boards, progress and the dashboard sections.
- :mod:`.ops`: adding and changing tasks (one commit per change).
- :mod:`.workpackages`: work packages and milestones.
- :mod:`.csvio`: CSV and JSON import and export.
- :mod:`.timeline`: the terminal timeline and the Mermaid Gantt chart.

Submodules are imported by the commands that need them, so reads stay fast.
"""
