// Module GlidepathData: see ARCHITECTURE.md.
