"""The ministry's web console: the staff's desk view of the bot, served by aiohttp with
server-rendered Jinja2 pages, in Khmer and English.

It reads through storage and acts through the operations of ``handlers/<feature>/
operations.py`` with an ``Acting(person, "web", …)``, so nothing the bot does is written twice.
It imports no Telegram framework and no engine; handlers never import it.
"""
