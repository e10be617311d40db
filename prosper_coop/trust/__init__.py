"""Who acts and what they may do: identities on this computer, signing keys,
the study's permission table and the verified history every clone checks.
"""
