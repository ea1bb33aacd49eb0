"""What anyone may see without signing in: the tracking page a receipt's QR opens, its JSON
twin, and the village information the kiosks show (docs/public.md). Rate-limited per client
address; never personal data."""
