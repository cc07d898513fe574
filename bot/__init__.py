"""DCC Bot: the Digital Community of Cambodia on Telegram."""
