"""How products are checked and mapped: merchants' fields made uniform, values and texts cleaned,
TikTok's rules run before anything leaves, images measured, links made https, and each product
mapped to TikTok's catalog product. Nothing here writes to the database."""
