"""Fetch the prefetch data from the EHR's FHIR server when the hook brought none."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

from ldn_core.cds.prefetch import query_for

MAX_PAGES = 20


def _next_link(bundle: Any) -> str | None:
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        return None
    for link in bundle.get("link") or []:
        if isinstance(link, dict) and link.get("relation") == "next" and link.get("url"):
            return str(link["url"])
    return None


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

        async def get(key: str, url: str) -> Any:
            try:
                async with session.get(url) as response:
                    if response.status == 404 and key == "patient":
                        return None
                    if response.status != 200:
                        raise FhirFetchError(f"FHIR server answered {response.status} for {key}")
                    return await response.json(content_type=None)
            except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
                raise FhirFetchError(
                    f"FHIR server unreachable for {key}: {type(exc).__name__}"
                ) from None

        async def one(key: str) -> tuple[str, Any]:
            result = await get(key, f"{base}/{query_for(key, patient_id)}")
            # a search result can come in pages: follow "next" so that what is not in the
            # result really is not in the record (a cut-off result stays marked incomplete)
            for _ in range(MAX_PAGES - 1):
                following = _next_link(result)
                if following is None:
                    break
                page = await get(key, following)
                result["entry"] = [*(result.get("entry") or []), *(page.get("entry") or [])]
                result["link"] = page.get("link") or []
            return key, result

        results = await asyncio.gather(*(one(key) for key in keys))
    return dict(results)
