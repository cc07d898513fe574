"""Outreach: deep links into the bot (``/start`` payloads), the registered sources of
sign-ups with their QR codes, Share buttons and event check-ins."""
