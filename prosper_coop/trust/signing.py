"""Signing keys: SSH (ed25519) keys made and checked with OpenSSH's ``ssh-keygen``.

Every commit the tool makes is signed by git itself (``gpg.format=ssh``, see
``core.git.signing_env``), with the acting person's private key from this
computer's config folder. The public key (``ssh-ed25519 AAAA...``) is in the
person's record, so every clone can check who made each commit. Nothing here is
home-made cryptography: ``ssh-keygen`` makes the keys and checks signatures
(``-Y check-novalidate``, what git's own ``verify-commit`` runs); this module only
finds the signature inside a commit and compares key fingerprints.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from prosper_coop.core.errors import KeyProblemError, UserError
from prosper_coop.core.fsutil import atomic_write

PUBLIC_KEY = re.compile(r"ssh-ed25519 [A-Za-z0-9+/]{68}")
NAMESPACE = "git"
SIGNATURE_START = b"-----BEGIN SSH SIGNATURE-----"
GOOD = re.compile(rb'Good "git" signature with ED25519 key (SHA256:[A-Za-z0-9+/]{43})')
CHECK_SECONDS = 30
INSTALL_HINT = (
    "Signing needs OpenSSH's ssh-keygen (it comes with git on Windows and macOS). On "
    "Debian or Ubuntu: sudo apt-get install openssh-client. Nothing was changed."
)


def ssh_keygen() -> str:
    """The ``ssh-keygen`` program, or a clear error saying how to install it."""
    found = shutil.which("ssh-keygen")
    if found is None:
        raise UserError("ssh-keygen (part of OpenSSH) is not installed", INSTALL_HINT)
    return found


def fingerprint(public_key: str) -> str:
    """The ``SHA256:...`` fingerprint OpenSSH shows for ``ssh-ed25519 AAAA...``."""
    blob = base64.b64decode(public_key.split()[1])
    digest = base64.b64encode(hashlib.sha256(blob).digest()).decode("ascii")
    return "SHA256:" + digest.rstrip("=")


def public_key_of(private_key: Path) -> str:
    """The public key kept beside a private signing key (``KEY.pub``)."""
    text = (private_key.parent / (private_key.name + ".pub")).read_text("ascii")
    match = PUBLIC_KEY.match(text.strip())
    if match is None:
        raise KeyProblemError(
            f"the signing key at {private_key} is not an ed25519 key this tool made",
            "Join again on this computer with: prosper-coop join --replace",
        )
    return match.group(0)


def generate(target: Path, comment: str) -> str:
    """Make an ed25519 key pair at ``target`` (+ ``.pub``); return the public key.

    Made in a private temporary folder beside ``target`` and moved into place, the
    public half first, so a kill leaves either no key or a whole one.
    """
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    # The study's folder, "signing", "keys" and the config folder: private to this user.
    for level in (folder, *list(folder.parents)[:3]):
        level.chmod(0o700)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".keygen-") as scratch:
        made = Path(scratch) / "key"
        done = subprocess.run(
            [ssh_keygen(), "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(made)],
            capture_output=True,
            check=False,
            stdin=subprocess.DEVNULL,
            timeout=CHECK_SECONDS,
        )
        if done.returncode != 0:
            detail = done.stderr.decode("utf-8", "replace").strip()
            raise UserError(f"ssh-keygen could not make a signing key: {detail}", INSTALL_HINT)
        public = made.with_suffix(".pub").read_text("ascii").strip()
        atomic_write(target.parent / (target.name + ".pub"), (public + "\n").encode("ascii"))
        atomic_write(target, made.read_bytes(), mode=0o600)
    match = PUBLIC_KEY.match(public)
    assert match is not None, public
    return match.group(0)


def split_signed(commit: bytes) -> tuple[bytes, bytes] | None:
    """A raw commit object as (the signed payload, the SSH signature), or None if unsigned.

    The payload is the commit without its ``gpgsig`` header, which is what git signs.
    """
    head, sep, message = commit.partition(b"\n\n")
    lines = head.split(b"\n")
    kept: list[bytes] = []
    signature: list[bytes] = []
    in_signature = False
    for line in lines:
        if line.startswith(b"gpgsig "):
            in_signature = True
            signature.append(line[len(b"gpgsig ") :])
        elif in_signature and line.startswith(b" "):
            signature.append(line[1:])
        else:
            in_signature = False
            kept.append(line)
    if not signature or not signature[0].startswith(SIGNATURE_START):
        return None
    return b"\n".join(kept) + sep + message, b"\n".join(signature) + b"\n"


def signer_fingerprint(payload: bytes, signature: bytes) -> str | None:
    """The fingerprint of the key that made ``signature`` over ``payload``, if it is good.

    ``ssh-keygen -Y check-novalidate`` checks the signature against the key inside
    it; whether that key belongs to the commit's author is decided by the caller.
    """
    with tempfile.NamedTemporaryFile(prefix="prosper-coop-sig-", suffix=".sig") as sig:
        sig.write(signature)
        sig.flush()
        done = subprocess.run(
            [ssh_keygen(), "-Y", "check-novalidate", "-n", NAMESPACE, "-s", sig.name],
            input=payload,
            capture_output=True,
            check=False,
            timeout=CHECK_SECONDS,
        )
    if done.returncode != 0:
        return None
    match = GOOD.search(done.stdout + done.stderr)
    return match.group(1).decode("ascii") if match else None


def check_signatures(commits: Iterable[tuple[str, bytes]]) -> dict[str, str]:
    """For each (sha, raw commit): the signer's fingerprint, ``""`` if unsigned, ``"!"`` if bad.

    Checked side by side (one ``ssh-keygen`` each), as a fresh clone may hold thousands.
    """
    results: dict[str, str] = {}
    signed: list[tuple[str, bytes, bytes]] = []
    for sha, raw in commits:
        parts = split_signed(raw)
        if parts is None:
            results[sha] = ""
        else:
            signed.append((sha, *parts))
    if signed:
        ssh_keygen()
        workers = max(2, min(8, (os.cpu_count() or 2) * 2))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            found = pool.map(lambda item: signer_fingerprint(item[1], item[2]), signed)
            for (sha, _payload, _sig), print_ in zip(signed, found, strict=True):
                results[sha] = print_ or "!"
    return results
