"""Certified properties of an activation: range, extremes, monotonicity, Lipschitz constant, claims.

>>> from symact.analysis import properties
>>> properties('relu')['lipschitz'].value
1
"""

from symact.analysis.engine import Property, Properties, properties, PROPERTY_NAMES, DEFAULT_BUDGET, numeric_roots, enclose_critical_point
from symact.analysis.tables import table, TABLE_COLUMNS, FORMATS, Claim, check_claims, HOLDS, REFUTED_, UNDECIDED

__all__ = ["Property", "Properties", "properties", "PROPERTY_NAMES", "DEFAULT_BUDGET", "numeric_roots", "enclose_critical_point", "table", "TABLE_COLUMNS", "FORMATS", "Claim", "check_claims", "HOLDS", "REFUTED_", "UNDECIDED"]
