"""The `flask` commands: thin wrappers over the services below them.

database.py   flask db upgrade | downgrade | current | revision
content.py    flask demo | create-user | reset-password | announce | reindex | rerender
              | fetch-posters
moving.py     flask import-wxr | export-markdown | import-markdown | backup | restore
              | export-static
catalogs.py   flask translate extract | update | init | compile
mailing.py    flask send-mail
"""

from __future__ import annotations

from flask import Flask

from . import catalogs, content, database, mailing, moving


def init_app(app: Flask) -> None:
    for command in (
        database.db_group,
        content.demo,
        content.create_user,
        content.reset_password,
        content.announce,
        content.reindex,
        content.rerender,
        content.fetch_posters,
        mailing.send_mail,
        catalogs.translate,
        *moving.COMMANDS,
    ):
        app.cli.add_command(command)
