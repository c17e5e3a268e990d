"""Tools for people working on the project (a live site for browsers); not in the package."""
