"""Engine adapters: the only modules that import a Telegram framework."""
