"""Ed25519 signing for the record chain (:mod:`hoga.engine.records`): the operator's key that
signs daily checkpoints and purge proofs, and the check anyone with the public key can run.

Keys are PEM (PKCS#8, unencrypted) files; :meth:`Signer.generate` writes a new one with mode 0600
and never overwrites. Signatures and public keys travel as lowercase hex; the signed message is
the proof's canonical JSON body, UTF-8 encoded.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = ["Signer", "verify_signature"]


class Signer:
    """An Ed25519 key that signs checkpoints and purge proofs (PEM, PKCS#8, unencrypted)."""

    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key
        raw = key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self.public_hex = raw.hex()

    @classmethod
    def load(cls, path: str | Path) -> Signer:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} is not an Ed25519 private key")
        return cls(key)

    @classmethod
    def generate(cls, path: str | Path) -> Signer:
        """A new key written to ``path`` (mode 0600; refuses to overwrite)."""
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        target = Path(path)
        with target.open("xb") as fh:
            fh.write(pem)
        target.chmod(0o600)
        return cls(key)

    def sign(self, body: str) -> str:
        return self._key.sign(body.encode()).hex()


def verify_signature(public_hex: str, body: str, signature_hex: str) -> bool:
    """Whether ``signature_hex`` is ``public_hex``'s Ed25519 signature of ``body`` (UTF-8)."""
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex))
        key.verify(bytes.fromhex(signature_hex), body.encode())
    except (ValueError, InvalidSignature):
        return False
    return True
