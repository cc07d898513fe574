"""The framework-neutral runtime: events, keyboards, ports, dispatch, flows, i18n.

Imports the standard library and Babel only, so every feature runs on any engine and in
tests without a network.
"""
