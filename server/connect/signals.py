"""What the connect flow tells the features built on it, sent with the app as the sender.

``connected``: a store was connected to TikTok (``session=``, ``store=``), before the commit that
records it; a receiver adds its own work to that same commit (the catalog queues a full sync).
"""
from blinker import Namespace

signals = Namespace()
connected = signals.signal("tiktok-connected")
