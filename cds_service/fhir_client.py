"""Fetch the prefetch data from the EHR's FHIR server when the hook brought none."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

from ldn_core.cds.prefetch import query_for


class FhirFetchError(Exception):
    """The FHIR server could not give the data; the message names no patient data."""


async def fetch_missing(
    fhir_server: str,
    authorization: Any,
    patient_id: str,
    keys: list[str],
    timeout_s: float,
) -> dict[str, Any]:
    headers = {"Accept": "application/fhir+json"}
    token = authorization.get("access_token") if isinstance(authorization, dict) else None
    if isinstance(token, str) and token:
        headers["Authorization"] = f"Bearer {token}"
    base = fhir_server.rstrip("/")
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    async with aiohttp.ClientSession(timeout=timeout, headers=headers) as session:

        async def one(key: str) -> tuple[str, Any]:
            url = f"{base}/{query_for(key, patient_id)}"
            try:
                async with session.get(url) as response:
                    if response.status == 404 and key == "patient":
                        return key, None
                    if response.status != 200:
                        raise FhirFetchError(f"FHIR server answered {response.status} for {key}")
                    return key, await response.json(content_type=None)
            except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
                raise FhirFetchError(
                    f"FHIR server unreachable for {key}: {type(exc).__name__}"
                ) from None

        results = await asyncio.gather(*(one(key) for key in keys))
    return dict(results)
