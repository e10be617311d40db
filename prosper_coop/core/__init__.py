"""The base of every layer: the study folder, its records, git, YAML, errors.
Knows no feature.
"""
