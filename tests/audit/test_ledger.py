"""The evidence ledger's hash (SM3 through OpenSSL), streaming verification, and concurrent appends."""

from __future__ import annotations

import threading
import tracemalloc
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from regwatch.audit import ledger
from regwatch.audit.models import LedgerEntry


def test_sm3_matches_the_standard_test_vectors() -> None:
    # GB/T 32905-2016, appendix A: "abc" and "abcd" repeated 16 times.
    assert ledger.digest(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert ledger.digest(b"abcd" * 16) == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
    assert ledger.ALGORITHM == "sm3"


@given(st.binary(max_size=5000), st.integers(min_value=1, max_value=700))
def test_chunked_hashing_equals_hashing_at_once(data: bytes, size: int) -> None:
    h = ledger.Hasher()
    for i in range(0, len(data), size):
        h.update(data[i : i + size])
    assert h.hexdigest() == ledger.digest(data)


def test_entries_written_with_sha256_still_verify(db: None) -> None:
    """Older ledgers may name another algorithm; each entry is checked by its own."""
    assert ledger.digest(b"abc", "sha256") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    with pytest.raises(ValueError, match="unknown"):
        ledger.Hasher("md5")


def test_verify_streams_files_in_constant_memory(db: None, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    content = bytes(range(256)) * (80 * 1024)  # 20 MB
    name = default_storage.save("evidence/big.bin", ContentFile(content))
    ledger.append("attachment", "test.file", "1", {"file": name, "digest": ledger.digest(content)})
    del content
    tracemalloc.start()
    try:
        report = ledger.LEDGER.verify()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.ok and report.files == 1
    assert peak < 8 * 1024 * 1024  # chunks of 1 MB, not the 20 MB file
    with default_storage.open(name, "r+b") as fh:
        fh.seek(1000)
        fh.write(b"tampered")
    assert any("文件被篡改" in p.message for p in ledger.LEDGER.verify().problems)


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_never_collide_on_the_sequence_number() -> None:
    """Eight threads, each on its own connection, append at once; every entry gets its own number and the chain holds."""
    if "memory" in str(connection.settings_dict["TEST"].get("NAME") or connection.settings_dict["NAME"]):
        pytest.skip("an in-memory SQLite database is shared by all threads; concurrency needs a file or PostgreSQL")
    barrier = threading.Barrier(8)
    seqs: list[int] = []
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            barrier.wait()
            for i in range(5):
                seqs.append(ledger.append("test", "test.thread", f"{n}-{i}", {"thread": n, "i": i}))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sorted(seqs) == list(range(1, 41))
    assert LedgerEntry.objects.count() == 40
    report = ledger.LEDGER.verify()
    assert report.ok and report.checked == 40, report.problems


def test_the_sm3_bench_runs(db: None) -> None:
    """``regwatch bench sm3`` on a small size; the figure itself is measured by hand (docs/operations.md)."""
    import json
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("bench", "sm3", "--mb", "2", "--gmssl-mb", "0", "--values", "100", "--json", stdout=out)
    figures = json.loads(out.getvalue())
    assert figures["openssl_mb"] == 2 and figures["openssl_mb_per_s"] > 0
    assert figures["sha256_mb_per_s"] > 0 and figures["sm4_gcm_values"] == 100
