"""Secrets are encrypted at rest, tokens hashed; rotation keeps old data readable."""
import pytest

from sidecar.store.crypto import SecretBox, SecretBoxError, generate_key, hash_api_token
from sidecar.store.models import Installation


def test_secret_box_round_trip_and_rotation():
    old, new = generate_key(), generate_key()
    stored = SecretBox((old,)).encrypt("s3cret")
    assert "s3cret" not in stored
    assert SecretBox((new, old)).decrypt(stored) == "s3cret"
    with pytest.raises(SecretBoxError) as caught:
        SecretBox((new,)).decrypt(stored)
    assert "s3cret" not in str(caught.value)


def test_installation_row_holds_no_plaintext_secret(app, installation):
    with app.extensions["sidecar"].database.session() as session:
        row = session.get(Installation, installation["id"])
        assert row.api_token_hash == hash_api_token(installation["api_token"])
        assert installation["api_token"] not in row.api_token_hash
        assert installation["shared_secret"] not in row.shared_secret_encrypted
