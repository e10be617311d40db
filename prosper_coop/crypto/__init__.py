"""Encryption: keys, sealed (age-encrypted) records, who may read them, and the
renumbered-record registry. Imports only core.
"""
