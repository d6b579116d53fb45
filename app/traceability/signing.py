"""Ed25519 keys and compact JWS (EdDSA) for passport heads, through Authlib's JOSE.

A shop's private key is Fernet-encrypted with ENCRYPTION_KEY (app/crypto.py), exactly like its Admin API
tokens, and decrypted only to sign. The public key is published as a JWKS; `verify_jws` needs nothing
but that JWKS, which is how anyone can check a passport without trusting our server.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.crypto import TokenCipher
from app.translatable import N_

with warnings.catch_warnings():
    # Authlib announces a move of its JOSE module to a sibling package; the API used here is unchanged.
    import authlib.deprecate  # noqa: F401 - installs its own "always" filter, which ours must then override

    warnings.simplefilter("ignore", DeprecationWarning)
    from authlib.jose import JsonWebKey, JsonWebSignature, OKPKey
    from authlib.jose.errors import JoseError

ALG = "EdDSA"
_JWS = JsonWebSignature(algorithms=[ALG])


@dataclass(frozen=True)
class NewKey:
    kid: str
    private_key_enc: str
    public_jwk: dict[str, str]


class BadSignature(ValueError):
    """The JWS is malformed, names an unknown key, or its signature does not match."""


def generate(cipher: TokenCipher) -> NewKey:
    key = OKPKey.generate_key("Ed25519", is_private=True)
    kid = key.thumbprint()  # RFC 7638: the key names itself, so a kid can never point at another key
    pem = key.as_pem(is_private=True).decode()
    public = key.as_dict(is_private=False)
    public.update(kid=kid, use="sig", alg=ALG)
    return NewKey(kid=kid, private_key_enc=cipher.encrypt(pem), public_jwk=public)


def sign(cipher: TokenCipher, private_key_enc: str, kid: str, payload: Mapping[str, Any]) -> str:
    key = JsonWebKey.import_key(cipher.decrypt(private_key_enc))
    body = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return _JWS.serialize_compact({"alg": ALG, "kid": kid, "typ": "JWT"}, body, key).decode()


def jwks(public_keys: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    return {"keys": [dict(k) for k in public_keys]}


def verify_jws(token: str, key_set: Mapping[str, Any]) -> dict[str, Any]:
    """The payload of a compact JWS signed by a key in `key_set` (a JWKS), or BadSignature."""
    if not isinstance(token, str) or token.count(".") != 2:
        raise BadSignature(N_("the signature is not a compact JWS"))
    try:
        header = json.loads(_b64decode(token.split(".", 1)[0]))
    except ValueError as exc:
        raise BadSignature(N_("the signature header is unreadable")) from exc
    if not isinstance(header, dict) or header.get("alg") != ALG:
        raise BadSignature(N_("the signature must use EdDSA"))
    keys = key_set.get("keys") if isinstance(key_set, Mapping) else None
    match = [k for k in keys or [] if isinstance(k, Mapping) and k.get("kid") == header.get("kid")]
    if len(match) != 1 or match[0].get("kty") != "OKP" or match[0].get("crv") != "Ed25519":
        raise BadSignature(N_("the signing key is not in the published key set"))
    public = {k: v for k, v in match[0].items() if k in ("kty", "crv", "x", "kid")}
    try:
        result = _JWS.deserialize_compact(token, JsonWebKey.import_key(public))
        payload = json.loads(result["payload"])
    except (JoseError, ValueError) as exc:
        raise BadSignature(N_("the signature does not match")) from exc
    if not isinstance(payload, dict):
        raise BadSignature(N_("the signed payload is not an object"))
    return payload


def _b64decode(part: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
