"""How products reach TikTok: sync runs asked for and scheduled, planned into batches, sent through
the outbox, reviews read back, the TikTok catalog reconciled, and the state merchants read."""
