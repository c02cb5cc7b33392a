"""Verify the EHR's JWT bearer token (CDS Hooks 2.0 "Trusting CDS Clients").

Checked: the issuer is on the allow-list, the signature (key from the issuer's JWKS, by
``kid``, or one configured public key), ``aud`` equal to the URL being called, ``exp``,
``iat`` and ``jti`` present. Asymmetric algorithms only: CDS Hooks requires ES384/RS384
support; "none" and shared-secret HMAC are refused.
"""

from __future__ import annotations

import asyncio
import functools

import jwt

from .settings import CdsSettings

ALGORITHMS = ["RS384", "ES384", "RS256", "ES256", "RS512", "ES512"]


class AuthError(Exception):
    """The bearer token is missing or not acceptable; the message is safe to return."""


@functools.lru_cache(maxsize=16)
def _jwks_client(url: str) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(url, cache_keys=True, lifespan=300, timeout=5)


def _signing_key(token: str, issuer: str, settings: CdsSettings) -> object:
    jwks_url = settings.trusted_issuers.get(issuer) or ""
    if jwks_url:
        try:
            return _jwks_client(jwks_url).get_signing_key_from_jwt(token).key
        except jwt.PyJWKClientError as exc:
            raise AuthError(f"no usable signing key for this token ({exc})") from None
    if settings.public_key_pem:
        return settings.public_key_pem
    raise AuthError("no verification key configured for this issuer")


def _verify(token: str, audience: str, settings: CdsSettings) -> dict:
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise AuthError("malformed bearer token") from None
    issuer = unverified.get("iss")
    if not isinstance(issuer, str) or issuer not in settings.trusted_issuers:
        raise AuthError("issuer not trusted")
    if header.get("alg") not in ALGORITHMS:
        raise AuthError("token algorithm not accepted")
    key = _signing_key(token, issuer, settings)
    try:
        return jwt.decode(
            token,
            key=key,
            algorithms=ALGORITHMS,
            audience=audience,
            issuer=issuer,
            options={"require": ["iss", "aud", "exp", "iat", "jti"]},
            leeway=30,
        )
    except jwt.PyJWTError as exc:
        raise AuthError(f"token rejected: {exc}") from None


async def check_bearer(authorization: str | None, path: str, settings: CdsSettings) -> dict | None:
    """Claims of a valid token; None when JWTs are not required (dev profile).

    Without the requirement a sent token is not checked either: EHR sandboxes always send
    one, signed by keys a developer has usually not configured yet.
    """
    if not settings.require_jwt:
        return None
    if not authorization:
        raise AuthError("a signed JWT bearer token is required")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("Authorization must be 'Bearer <JWT>'")
    audience = settings.public_url + path
    # PyJWKClient fetches keys with blocking urllib: keep it off the event loop
    return await asyncio.to_thread(_verify, token.strip(), audience, settings)
