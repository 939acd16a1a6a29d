"""Files: where they are stored (media.storage) and what Pillow makes of images (media.images)."""
