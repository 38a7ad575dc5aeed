"""Verdict tests judge the proofs that came back, and count the ones that ran out of budget apart.

A verdict never depends on the machine, but whether it comes back within a wall-clock budget does: a loaded
runner can turn *proved* into *unknown* with method ``timeout``. So a corpus test asserts "never wrong" over every
proof and "decided" only over the proofs that finished; the timeouts are counted on their own, and only a corpus
where most proofs timed out (a slowdown to look at, not a loaded machine) fails for them.
"""

TIMEOUT_SHARE = 0.5  # past this share of a corpus timed out, the run says something is slow, not loaded


def finished(pairs):
    """The (entry, proof) pairs whose proof came back within its budget; fails when most did not."""
    done = [(entry, proof) for entry, proof in pairs if proof.method != "timeout"]
    timed_out = [entry for entry, proof in pairs if proof.method == "timeout"]
    assert len(timed_out) <= TIMEOUT_SHARE * len(pairs), f"{len(timed_out)}/{len(pairs)} timed out: {timed_out}"
    return done
