"""Moving a store in and out: WordPress exports, Markdown folders, backups.

Nothing here is a command or a view: the CLI (`blog/cli/moving.py`) calls these modules.
"""
