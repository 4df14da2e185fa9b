"""The small kit every service uses instead of writing its own copy.

- ``types``: ``Doc``, ``Version``, ``Sha256``;
- ``clock``: UTC time at the precision MongoDB stores;
- ``text``: Vietnamese folding (no diacritics, đ → d) and words for search;
- ``backoff``: exponential backoff with jitter;
- ``expiry``: expiry through hourly buckets instead of TTL indexes or sweeps;
- ``content``: content-addressed file storage found by ``_id``, streamed in chunks;
- ``claim_check``: fetching a claim check's bytes: path checked, streamed, hashed, limited;
- ``idempotency``: ``Idempotency-Key`` records scoped by caller, with a canonical body hash.
"""
