"""Proofs: identities, bounds and limits, each *proved*, *refuted* with a counterexample, or *unknown*.

>>> from symact.proof import prove
>>> prove('tanh(x) + 1', '2*sigmoid(2*x)').status
'proved'
"""

from symact.proof.engine import Step, Evidence, Proof, PROVED, REFUTED, UNKNOWN, prove, prove_bound, prove_limit

__all__ = ["Step", "Evidence", "Proof", "PROVED", "REFUTED", "UNKNOWN", "prove", "prove_bound", "prove_limit"]
