"""Offline stand-ins for Telegram: the Bot API emulator and the terminal sandbox."""
