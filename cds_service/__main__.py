"""``python -m cds_service``: run the CDS Hooks service (LDN_CDS_PORT, default 5010)."""

from __future__ import annotations

import logging

from aiohttp import web

from .app import make_app
from .settings import CdsSettings


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = CdsSettings.from_env()
    logging.getLogger("cds_service").info(
        "CDS Hooks service on %s (JWT %s)",
        settings.public_url,
        "required" if settings.require_jwt else "optional",
    )
    web.run_app(
        make_app(settings), host=settings.host, port=settings.port, print=None, access_log=None
    )


if __name__ == "__main__":
    main()
