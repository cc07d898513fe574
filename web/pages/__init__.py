"""The console's pages, one module each; each declares its routes with ``web.console.page``."""
