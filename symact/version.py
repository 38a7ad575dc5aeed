"""The version of symact, in one place (``pyproject.toml`` reads it from here).

>>> from symact.version import __version__
>>> __version__.count('.')
2
"""

__version__ = "0.1.0"
