"""Wellbeing: check-ins, reflections, wellbeing plans, alerts, the distress protocol
and the identity map, with every sensitive record encrypted (age format).

Submodules import heavy libraries (pydantic, pyrage, git) only when used, except
``signposting`` and ``config``, which stay light so help can be shown at once.
"""
