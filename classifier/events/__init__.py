"""Events: what the prediction records describe, beyond one page each.

Mirror copies (:mod:`classifier.events._mirrors`): ``signature(clean_text)`` in the workers,
``MirrorIndex.add(id, signature)`` in input order in the parent.
"""

from ._mirrors import (
    MIRROR_FIELD,
    MirrorIndex,
    MirrorSignature,
    find_mirrors,
    signature,
)

__all__ = ["MIRROR_FIELD", "MirrorIndex", "MirrorSignature", "find_mirrors", "signature"]
