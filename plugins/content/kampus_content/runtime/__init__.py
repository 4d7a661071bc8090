"""The XBlock runtime of Kampus (no Django): see :mod:`kampus_content.runtime.runtime`."""
