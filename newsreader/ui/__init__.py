"""The Textual reader: built on the core, holding no logic of its own that the core could."""
