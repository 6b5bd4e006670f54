"""Static files served by the platform (WhiteNoise): no CDN, the portal may run on an intranet."""

import os
from typing import Any

from whitenoise.middleware import WhiteNoiseMiddleware


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise that stays quiet until `collectstatic` has created STATIC_ROOT: before that the files come
    from the apps' folders (WHITENOISE_USE_FINDERS), and WhiteNoise's "No directory" warning would only be noise
    (and an error in the test suite, where warnings are errors)."""

    def add_files(self, root: str, prefix: Any = None) -> None:
        if not os.path.isdir(root):
            return
        super().add_files(root, prefix)
