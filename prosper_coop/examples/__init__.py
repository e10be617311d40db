"""Example studies that `prosper-coop init --example NAME` builds (composition: an
example fills a new study with records of every feature).
"""
