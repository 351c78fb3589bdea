"""Filters: the language (:mod:`.syntax`), its patterns, and testing an article against one
in Python (:mod:`.evaluate`); the cache compiles the same tree to SQL."""

from newsreader.filters.syntax import Filter, FilterError, looks_like_filter, parse_filter

__all__ = ["Filter", "FilterError", "looks_like_filter", "parse_filter"]
