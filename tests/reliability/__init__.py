"""The reliability and security suite (load, kills, bad databases, bad inputs, fuzzing)."""
