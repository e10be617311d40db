"""The base of every layer: the study folder and its transaction, the records registry,
base models, IDs, errors, YAML, atomic files, git, local config, clock, guard. Knows no feature.
"""
