"""Encryption: keys, sealed (age-encrypted) records, the renumbered-record registry.
Imports only core.
"""
