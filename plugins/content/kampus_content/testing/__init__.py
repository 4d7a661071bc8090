"""Test helpers of the content plugin, for its drivers and for other plugins' tests."""
