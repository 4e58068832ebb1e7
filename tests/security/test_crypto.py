"""SM4-GCM column encryption, the keyring and ``regwatch rotate-keys`` (docs/security.md, "Cryptography")."""

from __future__ import annotations

import base64
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from regwatch.accounts.models import User
from regwatch.core import crypto
from regwatch.core.models import Organization
from regwatch.notifications.models import OutboxItem

OLD = "old:" + base64.b64encode(bytes(range(16))).decode()
NEW = "new:" + base64.b64encode(bytes(range(100, 116))).decode()
AES = "aes:" + base64.b64encode(bytes(range(32))).decode()


def raw(table: str, column: str, pk: Any) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {connection.ops.quote_name(table)} WHERE id = %s", [pk])
        return str(cursor.fetchone()[0])


def set_raw(table: str, column: str, pk: Any, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {connection.ops.quote_name(table)} SET {connection.ops.quote_name(column)} = %s WHERE id = %s", [value, pk])


def test_sm4_gcm_matches_the_rfc_8998_test_vector() -> None:
    key = crypto.Key("t", bytes.fromhex("0123456789ABCDEFFEDCBA9876543210"))
    nonce = bytes.fromhex("00001234567800000000ABCD")
    aad = bytes.fromhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2")
    plain = bytes.fromhex("".join(c * 16 for c in "ABCDEFEA"))
    sealed = key.encrypt(nonce, plain, aad)
    assert sealed[:-16].hex().upper() == (
        "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D"
    )
    assert sealed[-16:].hex().upper() == "83DE3541E4C2B58177E065A9BF7B62EC"
    assert key.cipher == "sm4" and key.decrypt(nonce, sealed, aad) == plain


@hsettings(max_examples=200, deadline=None)
@given(text=st.text(min_size=1, max_size=300))
def test_any_text_comes_back_and_the_stored_form_is_a_token(text: str) -> None:
    ring = crypto.Keyring(crypto.parse_keys(f"{NEW},{OLD}"))
    stored = crypto.encrypt(text, "t", "c", ring)
    assert crypto.is_token(stored) and crypto.key_id(stored) == "new"
    assert len(text) < 8 or text not in stored
    assert crypto.decrypt(stored, "t", "c", ring) == text
    assert crypto.encrypt(text, "t", "c", ring) != stored  # a fresh nonce every time


def test_a_value_moved_to_another_column_or_altered_is_refused() -> None:
    ring = crypto.Keyring(crypto.parse_keys(OLD))
    stored = crypto.encrypt("13800000000", "accounts_user", "phone", ring)
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(stored, "core_organization", "phone", ring)
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(stored, "accounts_user", "phone", crypto.Keyring(crypto.parse_keys("old:" + NEW.split(":")[1])))
    body = stored.rsplit(":", 1)[1]
    flipped = stored[: -len(body)] + ("A" if body[0] != "A" else "B") + body[1:]
    with pytest.raises(crypto.DecryptionError) as refused:
        crypto.decrypt(flipped, "accounts_user", "phone", ring)
    assert "13800000000" not in str(refused.value) and body not in str(refused.value)
    with pytest.raises(crypto.FieldKeyError, match="'old'"):
        crypto.decrypt(stored, "accounts_user", "phone", crypto.Keyring(crypto.parse_keys(NEW)))


def test_aes_256_gcm_where_sm4_is_not_wanted_and_a_mixed_keyring_reads_both() -> None:
    sm4_value = crypto.encrypt("a@b.cn", "t", "c", crypto.Keyring(crypto.parse_keys(OLD)))
    ring = crypto.Keyring(crypto.parse_keys(f"{AES},{OLD}", "aes256"))
    assert ring.current.cipher == "aes256"
    aes_value = crypto.encrypt("a@b.cn", "t", "c", ring)
    assert crypto.decrypt(aes_value, "t", "c", ring) == crypto.decrypt(sm4_value, "t", "c", ring) == "a@b.cn"
    with pytest.raises(crypto.FieldKeyError, match="aes256"):
        crypto.parse_keys(OLD, "aes256")


def test_keys_print_without_their_material() -> None:
    key = crypto.parse_keys(OLD)[0]
    assert OLD.split(":")[1] not in repr(key) and "bytes(range" not in repr(key) and repr(bytes(range(16))) not in repr(key)


@pytest.mark.django_db
def test_personal_contact_columns_hold_ciphertext_and_read_back_plain(world: None, inspector: Any) -> None:
    inspector.phone = "13812345678"
    inspector.save()
    org = Organization.objects.first()
    assert org is not None
    org.contact, org.phone = "张三", "0571-88880000"
    org.save()
    item = OutboxItem.objects.create(channel="email", address="zhang@example.gov.cn", title="t", body="b")
    for table, column, pk, plain in (
        ("accounts_user", "phone", inspector.pk, "13812345678"),
        ("core_organization", "contact", org.pk, "张三"),
        ("core_organization", "phone", org.pk, "0571-88880000"),
        ("notifications_outboxitem", "address", item.pk, "zhang@example.gov.cn"),
    ):
        stored = raw(table, column, pk)
        assert crypto.is_token(stored) and plain not in stored, (table, column)
    assert User.objects.get(pk=inspector.pk).phone == "13812345678"
    org = Organization.objects.get(pk=org.pk)
    assert (org.contact, org.phone) == ("张三", "0571-88880000")
    assert OutboxItem.objects.values_list("address", flat=True).get(pk=item.pk) == "zhang@example.gov.cn"
    # Swapping stored values between columns is detected, not read as someone else's data.
    set_raw("core_organization", "phone", org.pk, raw("accounts_user", "phone", inspector.pk))
    with pytest.raises(crypto.DecryptionError):
        Organization.objects.get(pk=org.pk)


@pytest.mark.django_db
def test_a_query_condition_on_an_encrypted_column_fails_loudly(world: None, inspector: Any) -> None:
    inspector.phone = "13812345678"
    inspector.save()
    for condition in ({"phone": "13812345678"}, {"phone__contains": "138"}, {"phone__in": ["13812345678"]}):
        with pytest.raises(FieldError, match="encrypted"):
            list(User.objects.filter(**condition))
    with pytest.raises(FieldError, match="encrypted"):
        OutboxItem.objects.filter(address__iexact="x").exists()
    assert User.objects.filter(pk=inspector.pk, phone__isnull=False).exists()


@pytest.mark.django_db
def test_an_empty_value_stays_empty_and_plaintext_limits_still_apply(world: None, inspector: Any) -> None:
    inspector.phone = ""
    inspector.save()
    assert raw("accounts_user", "phone", inspector.pk) == ""
    field = User._meta.get_field("phone")
    form_field = field.formfield()
    assert form_field.max_length == 20 and form_field.widget.input_type == "text"
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        field.clean("1" * 21, inspector)


@pytest.mark.django_db
def test_rotation_re_encrypts_everything_with_the_new_key_and_can_resume(world: None, inspector: Any, admin: Any) -> None:
    with override_settings(REGWATCH_FIELD_KEYS=OLD):
        for n, user in enumerate((inspector, admin)):
            user.phone = f"1390000000{n}"
            user.save()
        items = [OutboxItem.objects.create(channel="sms", address=f"1370000{n:04d}", title="t", body="b") for n in range(7)]
        set_raw("notifications_outboxitem", "address", items[0].pk, "13600000000")  # written before encryption existed
    with override_settings(REGWATCH_FIELD_KEYS=f"{NEW},{OLD}"):
        ring = crypto.keyring()
        col = crypto.Column("notifications_outboxitem", "address", "id")
        assert crypto.count_stale(connection, col, ring) == 7
        batches = crypto.reencrypt_column(connection, col, 3, ring)
        assert next(batches) == 3  # interrupted after the first batch of three
        batches.close()
        assert crypto.count_stale(connection, col, ring) == 4
        out = StringIO()
        with pytest.raises(CommandError, match="rotate-keys"):
            call_command("rotate_keys", check=True, stdout=out)
        out = StringIO()
        call_command("rotate_keys", batch_size=2, stdout=out)
        text = out.getvalue()
        assert "notifications_outboxitem.address：已重新加密 2/4" in text and "notifications_outboxitem.address：完成，4 个值" in text
        assert "accounts_user.phone：完成，2 个值" in text
        assert NEW.split(":")[1] not in text and OLD.split(":")[1] not in text  # progress names keys by id only
        again = StringIO()
        call_command("rotate_keys", stdout=again)
        assert "完成" not in again.getvalue()  # idempotent: nothing left to do
        call_command("rotate_keys", check=True, stdout=StringIO())
    with override_settings(REGWATCH_FIELD_KEYS=NEW):  # the old key removed
        assert crypto.key_id(raw("notifications_outboxitem", "address", items[0].pk)) == "new"
        assert OutboxItem.objects.get(pk=items[0].pk).address == "13600000000"
        assert sorted(OutboxItem.objects.filter(pk__in=[i.pk for i in items]).values_list("address", flat=True)) == sorted(
            ["13600000000", *[f"1370000{n:04d}" for n in range(1, 7)]]
        )
        assert User.objects.get(pk=admin.pk).phone == "13900000001"


@pytest.mark.django_db
def test_a_value_under_a_removed_key_fails_loudly(world: None, inspector: Any) -> None:
    with override_settings(REGWATCH_FIELD_KEYS=OLD):
        inspector.phone = "13812345678"
        inspector.save()
    with override_settings(REGWATCH_FIELD_KEYS=NEW), pytest.raises(crypto.FieldKeyError, match="'old'"):
        User.objects.get(pk=inspector.pk)


@pytest.mark.django_db
def test_the_data_migration_encrypts_what_was_stored_and_its_reverse_decrypts(world: None) -> None:
    item = OutboxItem.objects.create(channel="sms", address="13712345678", title="t", body="b")
    col = crypto.Column("notifications_outboxitem", "address", "id")
    for _ in crypto.reencrypt_column(connection, col, transform=lambda plain: plain):  # what reversing the migration does
        pass
    assert raw(col.table, col.column, item.pk) == "13712345678"
    assert OutboxItem.objects.get(pk=item.pk).address == "13712345678"  # plaintext from before is still read
    from django.apps import apps

    from regwatch.core.crypto import encrypt_existing

    class Editor:
        connection = connection

    encrypt_existing("notifications", "OutboxItem", "address").code(apps, Editor())
    assert crypto.is_token(raw(col.table, col.column, item.pk))
    assert OutboxItem.objects.get(pk=item.pk).address == "13712345678"


def test_every_encrypted_column_is_known_to_rotation() -> None:
    assert [str(c) for c in crypto.encrypted_columns()] == [
        "accounts_user.phone",
        "core_organization.contact",
        "core_organization.phone",
        "notifications_outboxitem.address",
    ]


@pytest.mark.django_db
def test_the_organisation_form_edits_the_encrypted_fields_as_plain_one_line_inputs(world: None, admin: Any) -> None:
    from django.test import Client

    org = Organization.objects.filter(parent__isnull=False).first()
    assert org is not None
    org.contact, org.phone = "王五", "0571-87654321"
    org.save()
    client = Client()
    client.force_login(admin)
    page = client.get(f"/organizations/{org.pk}/edit/").content.decode()
    assert 'value="0571-87654321"' in page and 'value="王五"' in page
    assert "<textarea" not in page and 'maxlength="30"' in page
    assert "v1:" not in page and "v1:" not in client.get(f"/organizations/{org.pk}/").content.decode()
