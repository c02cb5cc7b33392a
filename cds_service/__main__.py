"""``python -m cds_service [--host H] [--port N]``: run the CDS Hooks service.

Without flags the settings come from the environment (LDN_CDS_HOST, LDN_CDS_PORT, default
127.0.0.1:5010); a flag overrides its variable, and an unknown flag is an error.
"""

from __future__ import annotations

import argparse
import logging
import os

from aiohttp import web

from .app import make_app
from .settings import CdsSettings


def parse_settings(argv: list[str] | None = None) -> CdsSettings:
    parser = argparse.ArgumentParser(prog="python -m cds_service", description=__doc__)
    parser.add_argument("--host", help="address to bind (LDN_CDS_HOST)")
    parser.add_argument("--port", type=int, help="port to bind (LDN_CDS_PORT)")
    args = parser.parse_args(argv)
    env = dict(os.environ)
    if args.host:
        env["LDN_CDS_HOST"] = args.host
    if args.port is not None:
        env["LDN_CDS_PORT"] = str(args.port)
    return CdsSettings.from_env(env)


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = parse_settings(argv)
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
