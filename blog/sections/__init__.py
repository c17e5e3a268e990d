"""The book site's own sections: talks, press reviews, press kit, chapter slides, works.

Each is a table of its own (sections/models.py), written from the desk and shown on every
site of kind "book"; nothing marked unpublished ever reaches a public page.
"""
