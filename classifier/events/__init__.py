"""Events: what the prediction records describe, beyond one page each.

Mirror copies (:mod:`classifier.events._mirrors`): ``signature(clean_text)`` in the workers,
``MirrorIndex.add(id, signature)`` in input order in the parent, giving each record's
``duplicate_of`` (``classifier.labels.DUPLICATE_FIELD``); ``MirrorDetector`` bundles both
for ``classifier.batch.run_batch(mirrors=...)``.
"""

from ._mirrors import MirrorDetector, MirrorIndex, MirrorSignature, find_mirrors, signature

__all__ = ["MirrorDetector", "MirrorIndex", "MirrorSignature", "find_mirrors", "signature"]
