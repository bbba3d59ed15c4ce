"""Where products come from: pushed through the API, read from a feed (uploaded, fetched, or by a
feed worker process), or sent by the store's platform through the signed change webhook; stored in
bulk with every item checked and mapped on the way in (``catalog.checks``)."""
