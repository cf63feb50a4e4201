"""Refs to masked entities: opaque, unforgeable, and stable across processes with CITYKG_SECRET."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from citykg.errors import ValidationFailed
from citykg.ledgers import refs
from citykg.ledgers.refs import seal, unseal

KEY = "11010519491231002X"
SEAL_IN_A_NEW_PROCESS = (
    "from citykg.settings import Settings\n"
    "from citykg.ledgers.refs import use_secret, seal\n"
    f"use_secret(Settings().secret); print(seal({KEY!r}))"
)


def sealed_by_a_new_process(secret: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "CITYKG_SECRET"}
    if secret is not None:
        env["CITYKG_SECRET"] = secret
    done = subprocess.run(
        [sys.executable, "-c", SEAL_IN_A_NEW_PROCESS],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_a_ref_hides_the_key_and_opens_it_again() -> None:
    ref = seal(KEY)
    assert KEY not in ref and ref.startswith("ref_")
    assert unseal(ref) == KEY


def test_a_tampered_ref_is_refused() -> None:
    ref = seal(KEY)
    with pytest.raises(ValidationFailed):
        unseal(ref[:-2] + ("AA" if not ref.endswith("AA") else "BB"))


def test_with_the_deployment_secret_refs_survive_a_restart() -> None:
    assert sealed_by_a_new_process("s3cret") == sealed_by_a_new_process("s3cret")
    assert sealed_by_a_new_process(None) != sealed_by_a_new_process(None)


def test_a_new_secret_seals_anew_though_refs_are_remembered() -> None:
    """Refs are remembered per key; the deployment's secret set later must not meet a ref the
    process's own secret made."""
    drawn, cipher = refs._secret[0], refs._siv[0]
    before = seal(KEY)
    assert seal(KEY) is before  # remembered
    try:
        refs.use_secret("another deployment")
        after = seal(KEY)
        assert after != before and unseal(after) == KEY
        with pytest.raises(ValidationFailed):
            unseal(before)
    finally:
        refs._secret[0], refs._siv[0] = drawn, cipher
        refs._sealed.cache_clear()
