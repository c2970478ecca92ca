// Tests for GlidepathData live in this target; see the one-file-per-concept layout in ARCHITECTURE.md.
import Testing
