"""Certified properties of an activation: range, extremes, monotonicity, Lipschitz constant, claims.

>>> from symact.analysis import properties
>>> properties('relu')['lipschitz'].value
1
"""

from symact.analysis.claims import Claim, check_claims
from symact.analysis.engine import properties
from symact.analysis.result import PROPERTY_NAMES, Properties, Property
from symact.analysis.tables import FORMATS, TABLE_COLUMNS, table
from symact.numerics import enclose_critical_point, numeric_roots

__all__ = [
    "Property", "Properties", "properties", "PROPERTY_NAMES", "numeric_roots",
    "enclose_critical_point", "table", "TABLE_COLUMNS", "FORMATS", "Claim", "check_claims",
]  # fmt: skip
