"""HTTP front of the CDS Hooks service (aiohttp); the decision logic is ldn_core.cds."""
