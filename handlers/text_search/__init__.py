"""Khmer/English text search, shared by every feature that stores or looks up text.

``tokens`` turns text into the words compared (and ``search_tokens`` into what a question or a
published item stores for /search); ``ranking`` ranks stored documents against a query (BM25).
"""
